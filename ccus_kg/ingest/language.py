"""Which language a text is written in, told by its script (Unicode blocks), as a BCP 47 tag.

ccus-kg's records are English and Chinese, but values in other scripts occur (a Korean or
Russian title, a Japanese agency name).  :func:`detect` returns the BCP 47 (RFC 5646) language
tag that the script of a text tells:

* Han with kana (Hiragana U+3040–U+309F, Katakana U+30A0–U+30FF, U+31F0–U+31FF) → ``ja``;
  Hangul (U+1100–U+11FF, U+3130–U+318F, U+AC00–U+D7AF) → ``ko``; Han alone
  (:data:`ccus_kg.text.HAN`) → ``zh``.  These count when they are at least ``threshold`` of the
  letters (a Chinese title with an embedded acronym is still Chinese);
* Cyrillic (U+0400–U+04FF) → ``ru`` (``uk`` when it has the Ukrainian letters і ї є ґ); Greek →
  ``el``; Hebrew → ``he``; Arabic → ``ar``; Thai → ``th``; Devanagari → ``hi``; Latin → ``en``
  (the corpus' other language) — each when it is the majority of the letters;
* anything else (no majority script) → ``und`` (BCP 47 "undetermined", RFC 5646 §4.1).

Only the first :data:`SAMPLE` characters are looked at (a body of megabytes costs no more).
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from ccus_kg.text import is_han

__all__ = ["detect", "han_ratio", "script_counts", "SAMPLE", "language_code"]

#: Characters of a text looked at by :func:`detect`.
SAMPLE = 20_000

_RANGES = (  # (first, last, script)
    (0x3040, 0x30FF, "kana"), (0x31F0, 0x31FF, "kana"), (0xFF66, 0xFF9F, "kana"),
    (0x1100, 0x11FF, "hangul"), (0x3130, 0x318F, "hangul"), (0xAC00, 0xD7AF, "hangul"),
    (0x0400, 0x04FF, "cyrillic"), (0x0370, 0x03FF, "greek"), (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"), (0x0E00, 0x0E7F, "thai"), (0x0900, 0x097F, "devanagari"),
)
_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_MAJORITY_TAGS = {"greek": "el", "hebrew": "he", "arabic": "ar", "thai": "th", "devanagari": "hi", "latin": "en"}


@lru_cache(maxsize=65536)
def _script(ch: str) -> str:
    code = ord(ch)
    if code < 0x250 or 0x1E00 <= code <= 0x1EFF:
        return "latin"
    if is_han(ch):
        return "han"
    for first, last, name in _RANGES:
        if first <= code <= last:
            return name
    return "other"


def script_counts(text: str) -> dict[str, int]:
    """Letters of ``text`` (its first :data:`SAMPLE` characters) by script name: ``latin``, ``han``,
    ``kana``, ``hangul``, ``cyrillic``, ``greek``, ``hebrew``, ``arabic``, ``thai``, ``devanagari``, ``other``."""
    sample = text[:SAMPLE]
    if sample.isascii():  # the common case, counted in C: the letters are A–Z and a–z
        letters = len(sample) - len(sample.encode("ascii").translate(None, _ASCII_LETTERS))
        return {"latin": letters} if letters else {}
    counts: dict[str, int] = {}
    # distinct characters first (Counter counts in C, in order of first occurrence, so the
    # scripts come in the same order as a character-by-character loop gives them)
    for ch, n in Counter(sample).items():
        if ch.isalpha():
            name = _script(ch)
            counts[name] = counts.get(name, 0) + n
    return counts


def han_ratio(text: str) -> float:
    """Share (0.0–1.0) of Han characters among the letters of ``text``; 0.0 for no letters."""
    counts = script_counts(text)
    letters = sum(counts.values())
    return counts.get("han", 0) / letters if letters else 0.0


def detect(text: str, *, threshold: float = 0.2, default: str = "en") -> str:
    """The BCP 47 tag of ``text`` by its script (see the module rules); ``default`` when it has no letters.

    Han characters are denser than Latin letters (one carries a word), so a modest share
    (``threshold``, default 0.2) already marks a Chinese text with embedded acronyms like
    ``"中国工信部 (MIIT) 工业领域碳达峰实施方案"``.  Never raises.
    """
    counts = script_counts(text)
    letters = sum(counts.values())
    if not letters:
        return default
    han, kana, hangul = counts.get("han", 0), counts.get("kana", 0), counts.get("hangul", 0)
    if kana and (han + kana) / letters >= threshold:
        return "ja"
    if hangul / letters >= threshold:
        return "ko"
    if han / letters >= threshold:
        return "zh"
    script, count = max(counts.items(), key=lambda kv: kv[1])
    if count * 2 <= letters:
        return "und"
    if script == "cyrillic":
        return "uk" if any(ch in "іїєґІЇЄҐ" for ch in text[:SAMPLE]) else "ru"
    return _MAJORITY_TAGS.get(script, "und")


def language_code(tag: str) -> str:
    """The EU Publications Office language authority code (ISO 639-3 style, upper case) of a
    BCP 47 primary tag: ``"en"`` → ``"ENG"``, ``"zh"`` → ``"ZHO"``.  The IRI is
    ``http://publications.europa.eu/resource/authority/language/`` + code (the ``dcterms:language``
    object; DCTERMS gives it range ``dcterms:LinguisticSystem``).  An unknown tag is upper-cased."""
    import pycountry

    primary = tag.split("-")[0].lower()
    found = pycountry.languages.get(alpha_2=primary) if len(primary) == 2 else pycountry.languages.get(alpha_3=primary)
    return (found.alpha_3 if found else primary).upper()
