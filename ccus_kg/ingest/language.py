"""Which language a text is written in, by its script.

ccus-kg sees two languages, English and Chinese.  A value is tagged ``zh`` when Han characters
(Unicode blocks CJK Unified Ideographs U+4E00–U+9FFF and Extension A U+3400–U+4DBF, CJK
Compatibility Ideographs U+F900–U+FAFF) make up at least ``threshold`` of its letters, else
``en``.  Language tags follow BCP 47 (RFC 5646).
"""

from __future__ import annotations

__all__ = ["detect", "han_ratio"]


def _is_han(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF


def han_ratio(text: str) -> float:
    """Share (0.0–1.0) of Han characters among the letters of ``text``; 0.0 for no letters."""
    han = letters = 0
    for ch in text:
        if ch.isalpha():
            letters += 1
            if _is_han(ch):
                han += 1
    return han / letters if letters else 0.0


def detect(text: str, *, threshold: float = 0.2, default: str = "en") -> str:
    """Return ``"zh"`` or ``"en"`` for ``text``; ``default`` when it has no letters.

    Han characters are denser than Latin letters (one carries a word), so a modest share
    (``threshold``, default 0.2) already marks a Chinese text with embedded acronyms like
    ``"中国工信部 (MIIT) 工业领域碳达峰实施方案"``.
    """
    if not any(ch.isalpha() for ch in text):
        return default
    return "zh" if han_ratio(text) >= threshold else "en"
