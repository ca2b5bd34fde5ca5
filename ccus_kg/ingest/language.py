"""Which language a text is written in, by its script.

ccus-kg sees two languages, English and Chinese.  A value is tagged ``zh`` when Han characters
(:data:`ccus_kg.text.HAN`) make up at least ``threshold`` of its letters, else
``en``.  Language tags follow BCP 47 (RFC 5646).
"""

from __future__ import annotations

import re

from ccus_kg.text import HAN

__all__ = ["detect", "han_ratio"]

_HAN_RUN = re.compile(f"[{HAN}]+")


def han_ratio(text: str) -> float:
    """Share (0.0–1.0) of Han characters among the letters (``str.isalpha``) of ``text``; 0.0 for no letters.

    Counted with C-level loops (``map(str.isalpha, …)`` over the text and over its Han runs):
    this runs on every text literal of a build.
    """
    letters = sum(map(str.isalpha, text))
    if not letters:
        return 0.0
    han = sum(sum(map(str.isalpha, run)) for run in _HAN_RUN.findall(text))
    return han / letters


def detect(text: str, *, threshold: float = 0.2, default: str = "en") -> str:
    """Return ``"zh"`` or ``"en"`` for ``text``; ``default`` when it has no letters.

    Han characters are denser than Latin letters (one carries a word), so a modest share
    (``threshold``, default 0.2) already marks a Chinese text with embedded acronyms like
    ``"中国工信部 (MIIT) 工业领域碳达峰实施方案"``.
    """
    if not any(map(str.isalpha, text)):
        return default
    return "zh" if han_ratio(text) >= threshold else "en"
