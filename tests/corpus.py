"""Where the policy-hub-2026-03 corpus lives (the one place that says so), and its front matter.

The corpus is not part of the repository (``en/*.md`` and ``zh/*.md``, Markdown with JSON front
matter between ``---`` lines).  Its folder is the environment variable ``CCUS_KG_CORPUS`` when set,
else ``../shared/corpus/policy-hub-2026-03`` beside the checkout: :func:`corpus_path`.  The tests,
the Makefile's ``CORPUS`` default (``python3 tests/corpus.py`` prints the folder) and, through
the Makefile, the benchmarks all take it from here.

Tests that need the corpus call :func:`corpus_dir`, which skips the test when the folder is
missing — or fails it when ``CI=true``, so CI never silently passes without the data.

Import as ``from corpus import corpus_dir`` (``pythonpath = ["tests"]`` in pyproject.toml's
pytest section).  Runs with the standard library alone, so that ``make`` can ask it before any
virtual environment exists.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

__all__ = ["CORPUS_ENV", "corpus_path", "corpus_dir", "corpus_slice", "front_matter", "SEEDS"]

#: The environment variable naming the corpus folder.
CORPUS_ENV = "CCUS_KG_CORPUS"

#: The seed policy files of the repository.
SEEDS = Path(__file__).resolve().parents[1] / "seeds"

_FRONT_MATTER = re.compile(r"\A\ufeff?\s*---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


def corpus_path() -> Path:
    """The corpus folder: ``$CCUS_KG_CORPUS``, else ``<checkout>/../shared/corpus/policy-hub-2026-03``.

    It may not exist; :func:`corpus_dir` checks.
    """
    configured = os.environ.get(CORPUS_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    return Path(__file__).resolve().parents[2] / "shared" / "corpus" / "policy-hub-2026-03"


def corpus_dir() -> Path:
    """:func:`corpus_path` when it is a folder.

    Calls :func:`pytest.fail` when it is missing and ``CI`` is ``"true"``, else :func:`pytest.skip`.
    """
    return _required(corpus_path(), "corpus")


def corpus_slice(root: Path, count: int) -> Path:
    """Copy the first ``count`` policy files of each language (sorted by name: the same files every run)
    into ``root/en`` and ``root/zh``; returns ``root``.  Skips or fails like :func:`corpus_dir`."""
    import shutil

    corpus = corpus_dir()
    for lang in ("en", "zh"):
        (root / lang).mkdir(parents=True, exist_ok=True)
        for f in sorted((corpus / lang).glob("*.md"))[:count]:
            shutil.copyfile(f, root / lang / f.name)
    return root


def front_matter(path: Path) -> dict[str, Any] | None:
    """The front matter mapping of a policy file (JSON, else YAML), or None when it has none."""
    import yaml

    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    if not match:
        return None
    text = match.group(1)
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = yaml.safe_load(text)
    return data if isinstance(data, dict) else None


def corpus_folder(suffix: str) -> Path:
    """A sibling corpus folder: ``policy-hub-2026-03-facilities`` (``suffix="facilities"``) or
    ``…-countries``; skips (or fails under ``CI=true``) like :func:`corpus_dir`."""
    return _required(corpus_dir().parent / f"policy-hub-2026-03-{suffix}", "corpus folder")


def _required(path: Path, what: str) -> Path:
    """``path`` if it is a folder; else :func:`pytest.fail` under ``CI=true``, :func:`pytest.skip` elsewhere."""
    import pytest

    if not path.is_dir():
        message = f"{what} not found at {path}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


if __name__ == "__main__":  # the Makefile's CORPUS default
    print(corpus_path())
