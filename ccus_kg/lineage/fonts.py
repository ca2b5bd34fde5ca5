"""Fonts for lineage pictures: Latin and CJK text with a fallback chain, the same on every machine.

The CJK font that installs with the project is Noto Sans CJK SC from the ``mplfonts`` package
(PyPI; SIL Open Font License).  The chain given to matplotlib (``font.family``; matplotlib ≥ 3.6
falls back glyph by glyph) is :data:`FAMILIES`: DejaVu Sans (matplotlib's own) for Latin, then
the packaged Noto Sans CJK SC, then system CJK fonts when present.  SVG text is kept as text
(``svg.fonttype = none``) and names the same chain plus ``sans-serif``, so a browser renders it.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

__all__ = ["FAMILIES", "cjk_font_path", "picture_style"]

#: The font chain, first choice first.
FAMILIES = ["DejaVu Sans", "Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei"]
_REGISTERED = False


def cjk_font_path() -> Path | None:
    """Path of the packaged Noto Sans CJK SC (``mplfonts``), or None when the package is missing."""
    try:
        import mplfonts
    except ImportError:
        return None
    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    return path if path.is_file() else None


def _register() -> None:
    global _REGISTERED
    if _REGISTERED:
        return
    from matplotlib import font_manager

    path = cjk_font_path()
    if path is not None:
        font_manager.fontManager.addfont(str(path))
    _REGISTERED = True


@contextmanager
def picture_style():
    """Matplotlib settings for one deterministic picture: the font chain, SVG text as text, a
    fixed SVG hash salt (ids of clip paths), no hinting differences (Agg).  Restored after."""
    import matplotlib

    matplotlib.use("Agg")
    _register()
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    with matplotlib.rc_context({
        "font.family": [f for f in FAMILIES if f in installed] or ["DejaVu Sans"],
        "svg.fonttype": "none",
        "svg.hashsalt": "ccus-kg-lineage",
        "path.simplify": True,
    }):
        yield
