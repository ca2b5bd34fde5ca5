"""Shared test helper: where the policy-hub-2026-03 corpus lives, and its front matter.

The corpus is not part of the repository; it sits beside the checkout at
``../shared/corpus/policy-hub-2026-03`` (``en/*.md`` and ``zh/*.md``, Markdown with JSON front
matter between ``---`` lines).  Tests that need it call :func:`corpus_dir`, which skips the
test when the folder is missing — or fails it when ``CI=true``, so CI never silently passes
without the data.

Import as ``from corpus import corpus_dir`` (pytest puts ``tests/`` on ``sys.path``).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

__all__ = ["corpus_dir", "front_matter", "SEEDS"]

#: The seed policy files of the repository.
SEEDS = Path(__file__).resolve().parents[1] / "seeds"

_FRONT_MATTER = re.compile(r"\A\ufeff?\s*---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


def corpus_dir() -> Path:
    """The corpus folder ``<checkout>/../shared/corpus/policy-hub-2026-03``.

    Calls :func:`pytest.fail` when it is missing and ``CI`` is ``"true"``, else :func:`pytest.skip`.
    """
    path = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "policy-hub-2026-03"
    if not path.is_dir():
        message = f"corpus not found at {path}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def front_matter(path: Path) -> dict[str, Any] | None:
    """The front matter mapping of a policy file (JSON, else YAML), or None when it has none."""
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
    path = corpus_dir().parent / f"policy-hub-2026-03-{suffix}"
    if not path.is_dir():
        message = f"corpus folder not found at {path}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path
