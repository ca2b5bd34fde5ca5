"""Which language a text is written in, by its script.

ccus-kg sees two languages, English and Chinese.  A value is tagged ``zh`` when Han characters
(:data:`ccus_kg.text.HAN`) make up at least ``threshold`` of its letters, else
``en``.  Language tags follow BCP 47 (RFC 5646).
"""

from __future__ import annotations

from ccus_kg.text import is_han

__all__ = ["detect", "han_ratio", "language_code"]


def han_ratio(text: str) -> float:
    """Share (0.0–1.0) of Han characters among the letters of ``text``; 0.0 for no letters."""
    han = letters = 0
    for ch in text:
        if ch.isalpha():
            letters += 1
            if is_han(ch):
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


def language_code(tag: str) -> str:
    """The EU Publications Office language authority code (ISO 639-3 style, upper case) of a
    BCP 47 primary tag: ``"en"`` → ``"ENG"``, ``"zh"`` → ``"ZHO"``.  The IRI is
    ``http://publications.europa.eu/resource/authority/language/`` + code (the ``dcterms:language``
    object; DCTERMS gives it range ``dcterms:LinguisticSystem``).  An unknown tag is upper-cased."""
    import pycountry

    primary = tag.split("-")[0].lower()
    found = pycountry.languages.get(alpha_2=primary) if len(primary) == 2 else pycountry.languages.get(alpha_3=primary)
    return (found.alpha_3 if found else primary).upper()
