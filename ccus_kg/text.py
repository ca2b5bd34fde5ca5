"""Text folding, one definition each: which characters are Han, and how names, controlled
labels and titles are compared.

Three folds, each for one kind of comparison (they differ on purpose, and each says how):

* :func:`fold_name` — names of jurisdictions and agencies (``"U.S. Department of Energy"``,
  ``"Türkiye"``, ``"江苏省发改委"``): diacritics and the dots of initials dropped.
* :func:`fold_label` — raw values of controlled fields against SKOS labels (``"Law（RIGI）"``).
* :func:`fold_title` — policy titles, for linking a 《title》 to a policy: all spaces,
  brackets and punctuation removed.

Han characters (:data:`HAN`) are the Unicode blocks CJK Radicals Supplement and Kangxi Radicals
(U+2E80–U+2FDF), the ideographic marks U+3005, U+3007, U+3021–U+3029, U+3038–U+303B, CJK Unified
Ideographs (U+4E00–U+9FFF) with Extension A (U+3400–U+4DBF) and Extensions B–F (U+20000–U+2EBEF),
and the CJK Compatibility Ideographs (U+F900–U+FAFF, U+2F800–U+2FA1F): the ``Script=Han``
characters of the Unicode Character Database (UAX #24) in the blocks that hold them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["printable", "HAN", "is_han", "has_han", "fold_name", "fold_label", "fold_title", "strip_forms", "starts_with_word", "ends_with_word",
           "unify_newlines"]

#: A regular-expression character class (without brackets) of the Han characters.
HAN = (r"\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3038-\u303b\u3400-\u4dbf\u4e00-\u9fff"
       r"\uf900-\ufaff\U00020000-\U0002ebef\U0002f800-\U0002fa1f")
_HAN = re.compile(f"[{HAN}]")


def is_han(ch: str) -> bool:
    """True when the one character ``ch`` is a Han character (see :data:`HAN`).

    >>> is_han("碳"), is_han("〇"), is_han("C"), is_han("。")
    (True, True, False, False)
    """
    return _HAN.match(ch) is not None


def has_han(text: str) -> bool:
    """True when ``text`` contains a Han (Chinese) character."""
    return bool(_HAN.search(text or ""))


# -- names ------------------------------------------------------------------------------

_NAME_PUNCT = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
    "\u30fb": " ", "\u00b7": " ", "\u3000": " ", "\u3014": "(", "\u3015": ")", "\u3010": "(",
    "\u3011": ")", "\u300a": "", "\u300b": "", "\u300c": "", "\u300d": "", "\u3001": ",",
    "\u3002": ".",
})
_INITIAL_DOT = re.compile(r"(?<![a-z])([a-z])\.")
_SPACES = re.compile(r"\s+")
_LATIN_END = re.compile(r"[0-9a-z]$")
_LATIN_START = re.compile(r"^[0-9a-z]")


def fold_name(text: str) -> str:
    """Fold ``text`` for matching names: a new string, never raises.

    NFKC (full-width letters, digits and punctuation become half-width: ``（`` → ``(``),
    CJK punctuation mapped to ASCII, case folded, Latin diacritics dropped (``Türkiye`` →
    ``turkiye``), dots of initials dropped (``U.S.`` → ``us``), runs of white space collapsed,
    and leading/trailing spaces and ``,;:-`` stripped.

    >>> fold_name("U.S. Department of Energy"), fold_name("Türkiye"), fold_name("（METI）")
    ('us department of energy', 'turkiye', '(meti)')
    """
    s = unicodedata.normalize("NFKC", str(text)).translate(_NAME_PUNCT).casefold()
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    s = unicodedata.normalize("NFC", s)
    s = _INITIAL_DOT.sub(r"\1", s)
    s = _SPACES.sub(" ", s)
    return s.strip(" ,;:-_")




def starts_with_word(text: str, prefix: str) -> bool:
    """``text`` (normalised) begins with ``prefix`` (normalised) at a word boundary."""
    if not prefix or not text.startswith(prefix):
        return False
    if len(text) == len(prefix):
        return True
    if _LATIN_END.search(prefix) and _LATIN_START.search(text[len(prefix):]):
        return False
    return True


def ends_with_word(text: str, suffix: str) -> bool:
    """``text`` (normalised) ends with ``suffix`` (normalised) at a word boundary."""
    if not suffix or not text.endswith(suffix):
        return False
    if len(text) == len(suffix):
        return True
    head = text[: -len(suffix)]
    return not (_LATIN_START.search(suffix) and _LATIN_END.search(head))


def strip_forms(text: str, forms: Iterable[str]) -> list[str]:
    """Variants of normalised ``text`` with one name form removed as prefix or suffix.

    ``forms`` are normalised names (``"saudi"``, ``"美国"``, ``"japan"``); a form is removed
    from the start (``"us doe"`` → ``"doe"``), from the end (``"meti japan"`` → ``"meti"``) or
    as a trailing ``"of <form>"`` (``"government of norway"`` → ``"government"``), at word
    boundaries for Latin script.  Empty remainders are dropped; order follows ``forms``.

    >>> strip_forms("us doe", ["us"]), strip_forms("meti japan", ["japan"]), strip_forms("government of norway", ["norway"])
    (['doe'], ['meti'], ['government'])
    >>> strip_forms("usa", ["us"])      # not at a word boundary
    []
    """
    out: list[str] = []
    for form in forms:
        if not form or form == text:
            continue
        if starts_with_word(text, form):
            rest = text[len(form):]
            rest = (rest[2:] if rest.startswith("'s") else rest).strip(" ,;:-_")
            if rest:
                out.append(rest)
        for tail in (f"of {form}", f"of the {form}", form):
            if ends_with_word(text, tail):
                head = text[: -len(tail)].strip(" ,;:-_(")
                if head:
                    out.append(head)
                break
    return list(dict.fromkeys(out))


# -- controlled labels ------------------------------------------------------------------

# Punctuation NFKC leaves alone (CJK and typographic forms) -> ASCII; '_' and ideographic
# space -> space.
_LABEL_PUNCT = str.maketrans({
    "、": ",", "，": ",", "。": ".", "：": ":", "；": ";", "（": "(", "）": ")", "／": "/",
    "【": "[", "】": "]", "〔": "(", "〕": ")", "「": '"', "」": '"', "『": '"', "』": '"',
    "“": '"', "”": '"', "‘": "'", "’": "'", "‐": "-", "‑": "-", "‒": "-", "–": "-",
    "—": "-", "―": "-", "・": "·", "_": " ", "\u3000": " ",
})
_SPACE_AROUND_PUNCT = re.compile(r"\s*([/()\[\],;:·\-])\s*")
_SPACE_BETWEEN_HAN = re.compile(f"(?<=[{HAN}])\\s+(?=[{HAN}])")


def fold_label(text: str) -> str:
    """The form raw values and labels are compared in.

    NFKC (full-width letters, digits and ASCII punctuation become ASCII), CJK punctuation to
    ASCII (``（）、／`` …), case-folded, whitespace collapsed to one space and stripped, no
    space around ``/ ( ) [ ] , ; : · -`` nor between two Han characters:

    >>> fold_label("  Guideline / Policy ") == fold_label("guideline/policy") == "guideline/policy"
    True
    >>> fold_label("Law（RIGI）") == fold_label("Law (RIGI)") == "law(rigi)"
    True
    >>> fold_label("制定 中")
    '制定中'
    """
    folded = unicodedata.normalize("NFKC", text).translate(_LABEL_PUNCT).casefold()
    folded = _SPACES.sub(" ", folded).strip()
    folded = _SPACE_AROUND_PUNCT.sub(r"\1", folded)
    return _SPACE_BETWEEN_HAN.sub("", folded)


# -- titles -----------------------------------------------------------------------------

_TITLE_NOISE = re.compile(r"[\s《》〈〉\"'“”‘’()（）\[\]【】:：,，.。、\-–—/]+")


def fold_title(title: str) -> str:
    """Fold a policy title for matching: NFKC, case-folded, spaces, brackets and punctuation removed.

    >>> fold_title("《江苏省 碳达峰实施方案》") == fold_title("江苏省碳达峰实施方案")
    True
    """
    return _TITLE_NOISE.sub("", unicodedata.normalize("NFKC", title).casefold())


def unify_newlines(text: str) -> str:
    """``text`` without a leading byte-order mark, with CRLF and CR line ends turned into LF."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


# -- output -----------------------------------------------------------------------------

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: object) -> str:
    """``text`` safe to print on one terminal line: control characters (C0, DEL, C1), the
    Unicode line/paragraph separators and bidirectional overrides written as ``\\n``,
    ``\\x1b``, ``\\u202e`` … so an id holding a newline cannot forge a line of output."""
    def esc(match: re.Match[str]) -> str:
        ch = match.group()
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
    return _UNPRINTABLE.sub(esc, str(text))
