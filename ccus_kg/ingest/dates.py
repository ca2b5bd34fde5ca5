"""Dates with their precision, as written in policy files and timeline compilations.

A date in the input may name a day (``2019年3月21日``, ``2022-10-01``), a month
(``2019年4月``, ``2022-10``, ``March 2019``) or only a year (``2022年``, ``2022``).  The
precision is kept, not padded to a day: ``2019-04`` stays a month so that it becomes an
``xsd:gYearMonth`` literal, never a made-up ``2019-04-01``.

Two entry points:

* :func:`parse_date` reads free text (a timeline's ``**发生日期**：…`` field) and returns a
  :class:`DateSpan`: the first date, the last one for ranges and lists, every date listed,
  and any bracketed remark (``2019年4月(爆炸事件后)`` → remark ``爆炸事件后``).
* :func:`parse_iso_date` reads one front-matter value (``str``, ``int`` year, or the
  ``datetime.date`` YAML produces) and returns a single :class:`DateValue`.

Neither raises on bad input; they return ``None`` and the caller reports the problem with
its file and line.  Calendar validity is checked (``2019-02-30`` is not a date): an invalid
date is never turned into a coarser one, it is left out and listed in
:attr:`DateSpan.invalid` (or makes the result ``None`` when nothing valid is left).
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["DateValue", "DateSpan", "Precision", "parse_date", "parse_iso_date"]

Precision = Literal["day", "month", "year"]

#: XML Schema 1.1 Part 2 datatypes by precision: §3.3.9 date, §3.3.14 gYearMonth, §3.3.11 gYear.
_XSD_TYPES: dict[str, str] = {"day": "date", "month": "gYearMonth", "year": "gYear"}

_LEXICAL = {
    "day": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "month": re.compile(r"\d{4}-\d{2}"),
    "year": re.compile(r"\d{4}"),
}

#: Years accepted as dates.  Four digits only (XSD allows more; policy data never needs them),
#: and only 1000-2199 so that a stray number such as ``5000`` in a date field is not a year.
_MIN_YEAR, _MAX_YEAR = 1000, 2199


@dataclass(frozen=True, slots=True)
class DateValue:
    """One calendar date at day, month or year precision.

    ``lexical`` is the XSD lexical form for that precision: ``'2019-03-21'`` (day),
    ``'2019-04'`` (month), ``'2019'`` (year).  Construction checks that ``lexical`` matches
    ``precision`` and is a real calendar date, and raises :class:`ValueError` otherwise
    (a programming error: the parsers below never build an invalid value).
    """

    lexical: str
    precision: Precision

    def __post_init__(self) -> None:
        pattern = _LEXICAL.get(self.precision)
        if pattern is None:
            raise ValueError(f"unknown precision {self.precision!r}")
        if not pattern.fullmatch(self.lexical):
            raise ValueError(f"{self.lexical!r} is not a {self.precision}-precision lexical form")
        parts = [int(p) for p in self.lexical.split("-")]
        if not _valid(*parts):
            raise ValueError(f"{self.lexical!r} is not a calendar date")

    @classmethod
    def of(cls, year: int, month: int | None = None, day: int | None = None) -> DateValue:
        """Build from numbers; precision follows the most specific part given.

        Raises :class:`ValueError` for an impossible date (month 13, 30 February) or a
        day without a month.
        """
        if day is not None and month is None:
            raise ValueError("a day needs a month")
        if not _valid(year, month, day):
            raise ValueError(f"not a calendar date: {year}-{month}-{day}")
        if day is not None:
            return cls(f"{year:04d}-{month:02d}-{day:02d}", "day")
        if month is not None:
            return cls(f"{year:04d}-{month:02d}", "month")
        return cls(f"{year:04d}", "year")

    @property
    def xsd_type(self) -> str:
        """Local name of the XSD datatype: ``'date'``, ``'gYearMonth'`` or ``'gYear'``.

        Source: XML Schema 1.1 Part 2, §3.3.9 (date), §3.3.14 (gYearMonth), §3.3.11 (gYear).
        """
        return _XSD_TYPES[self.precision]

    @property
    def year(self) -> int:
        return int(self.lexical[:4])

    @property
    def month(self) -> int | None:
        return int(self.lexical[5:7]) if self.precision != "year" else None

    @property
    def day(self) -> int | None:
        return int(self.lexical[8:10]) if self.precision == "day" else None

    def first_day(self) -> _dt.date:
        """The earliest day this value covers (``2019-04`` → 2019-04-01)."""
        return _dt.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> _dt.date:
        """The latest day this value covers (``2019-02`` → 2019-02-28, ``2019`` → 2019-12-31)."""
        if self.precision == "day":
            return self.first_day()
        month = self.month or 12
        return _dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def __str__(self) -> str:
        return self.lexical


@dataclass(frozen=True, slots=True)
class DateSpan:
    """What a date field says: one date, a range, or a list of dates.

    ``start`` is the first date; ``end`` the last one for a range (``至``, ``-``, ``to`` …)
    or a list (``20日、21日及25日``), ``None`` for a single date.  ``dates`` holds every
    date written, in order (a range gives its two ends).  ``remark`` keeps bracketed text
    and words around the date that are not part of it (``爆炸事件后``, ``上半年``), joined
    by ``'; '``.  ``raw`` is the text as given.  ``invalid`` lists fragments that look like
    dates but are not calendar dates (``2019-02-30``); they are not in ``dates``.
    ``is_range`` tells a range (``至``) from a list (``、``/``及``).
    """

    start: DateValue
    end: DateValue | None
    dates: tuple[DateValue, ...]
    remark: str | None
    raw: str
    invalid: tuple[str, ...] = field(default=())
    is_range: bool = False

    @property
    def precision(self) -> Precision:
        """Precision of the start date."""
        return self.start.precision


# --------------------------------------------------------------------------- helpers


def _valid(year: int, month: int | None = None, day: int | None = None) -> bool:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return False
    if month is None:
        return day is None
    if not 1 <= month <= 12:
        return False
    if day is None:
        return True
    return 1 <= day <= calendar.monthrange(year, month)[1]


# Full-width and look-alike characters folded to ASCII before matching (the remark keeps
# whatever is inside the brackets, folded the same way only for digits/brackets).
_FOLD = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},  # ０-９
        "（": "(", "）": ")", "［": "[", "］": "]", "【": "[", "】": "]",
        "～": "~", "〜": "~", "－": "-", "‐": "-", "‑": "-", "—": "–", "―": "–",
        "／": "/", "．": ".", "：": ":", "，": ",", "\u3000": " ", "\u00a0": " ",
        "\ufeff": "",
    }
)

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MON = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_YEAR = r"(?:1\d{3}|2[01]\d{2})"
_ORD = r"(?:st|nd|rd|th)?"
_DAYLIST_SEP = r"\s*(?:,|&|–|-|~|\bto\b|\band\b)\s*"
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"

_TOKEN = re.compile(
    "|".join(
        [
            # "20, 21 and 25 October 2022" / "20–25 Oct 2022"
            rf"(?P<en_dl>(?<![\w.])\d{{1,2}}{_ORD}(?:{_DAYLIST_SEP}\d{{1,2}}{_ORD})+\s+{_MON}\b\.?,?\s+{_YEAR}(?!\d))",
            # "October 20–25, 2022"
            rf"(?P<en_ml>\b{_MON}\b\.?\s+\d{{1,2}}{_ORD}(?:{_DAYLIST_SEP}\d{{1,2}}{_ORD})+,?\s+{_YEAR}(?!\d))",
            # 2019-03-21, 2024/01/15, 2019.03.21, optional time part (dropped)
            rf"(?P<iso_d>(?<![\d.])(?P<iy>{_YEAR})(?P<isep>[-/.])(?P<im>\d{{1,2}})(?P=isep)(?P<id>\d{{1,2}})(?![\d]){_TIME})",
            # 2019-04, 2019/04
            rf"(?P<iso_m>(?<![\d.])(?P<my>{_YEAR})[-/.](?P<mm>\d{{1,2}})(?![\d.]))",
            # 2019年3月21日 / 2019年3月 / 2019年
            r"(?P<zh_y>(?<!\d)(?P<zy>\d{4})\s*年(?:\s*(?P<zm>\d{1,2})\s*月(?:份)?(?:\s*(?P<zd>\d{1,2})\s*[日号])?)?)",
            # 3月21日 / 5月 (year inherited)
            r"(?P<zh_m>(?<!\d)(?P<zm2>\d{1,2})\s*月(?:份)?(?:\s*(?P<zd2>\d{1,2})\s*[日号])?)",
            # 21日 (year and month inherited)
            r"(?P<zh_d>(?<!\d)(?P<zd3>\d{1,2})\s*[日号])",
            # 21 March 2019 / 21 March
            rf"(?P<en_dmy>(?<![\w.])(?P<ed>\d{{1,2}}){_ORD}\s+(?P<emon>{_MON})\b\.?,?(?:\s+(?P<ey>{_YEAR})(?!\d))?)",
            # March 21, 2019 / March 2019 / March 21 / March
            rf"(?P<en_mdy>\b(?P<emon2>{_MON})\b\.?(?:\s+(?P<ed2>\d{{1,2}}){_ORD}(?!\d))?(?:,?\s+(?P<ey2>{_YEAR})(?!\d))?)",
            # 2019
            rf"(?P<year>(?<![\d.])(?P<yy>{_YEAR})(?![\d.]))",
        ]
    ),
    re.IGNORECASE,
)

_RANGE_SEP = re.compile(r"至|到|~|–|-|\b(?:to|until|till|through|thru)\b", re.I)
_BRACKETS = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
#: Words around a date that carry no meaning of their own and are not kept as a remark.
_FILLER = re.compile(
    r"^(?:from|between|on|in|of|the|dated?|从|自|于|在|期间|间|,|;|、|及|和|与|以及|and|&|\.|\s)*$",
    re.I,
)


@dataclass(slots=True)
class _Tok:
    start: int
    end: int
    y: int | None
    m: int | None
    d: int | None
    text: str


def _month_number(name: str) -> int:
    return _MONTHS[name[:3].lower()]


#: Alternatives of ``_TOKEN`` in the order they are tried (``lastgroup`` would name an inner group).
_TOKEN_KINDS = ("en_dl", "en_ml", "iso_d", "iso_m", "zh_y", "zh_m", "zh_d", "en_dmy", "en_mdy")


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    for match in _TOKEN.finditer(text):
        g = match.group
        s, e = match.start(), match.end()
        kind = next((k for k in _TOKEN_KINDS if g(k)), "year")
        if kind in ("en_dl", "en_ml"):
            whole = g(kind)
            mon_match = re.search(_MON, whole, re.I)
            year_match = list(re.finditer(_YEAR, whole))[-1]
            assert mon_match is not None
            mon = _month_number(mon_match.group(0))
            year = int(year_match.group(0))
            if kind == "en_dl":
                lo, hi = 0, mon_match.start()
            else:
                lo, hi = mon_match.end(), year_match.start()
            for dm in re.finditer(r"\d{1,2}", whole[lo:hi]):
                # each day is its own token, so the separators between them (range or list)
                # are seen like any others
                out.append(_Tok(s + lo + dm.start(), s + lo + dm.end(), year, mon, int(dm.group(0)), dm.group(0)))
            out[-1].end = e  # month and year belong to the last day's token
            if kind == "en_ml":
                first = len(out) - len(re.findall(r"\d{1,2}", whole[lo:hi]))
                out[first].start = s
            continue
        if kind == "iso_d":
            tok = _Tok(s, e, int(g("iy")), int(g("im")), int(g("id")), g(kind))
        elif kind == "iso_m":
            tok = _Tok(s, e, int(g("my")), int(g("mm")), None, g(kind))
        elif kind == "zh_y":
            tok = _Tok(s, e, int(g("zy")), _int(g("zm")), _int(g("zd")), g(kind))
        elif kind == "zh_m":
            tok = _Tok(s, e, None, int(g("zm2")), _int(g("zd2")), g(kind))
        elif kind == "zh_d":
            tok = _Tok(s, e, None, None, int(g("zd3")), g(kind))
        elif kind == "en_dmy":
            tok = _Tok(s, e, _int(g("ey")), _month_number(g("emon")), int(g("ed")), g(kind))
        elif kind == "en_mdy":
            tok = _Tok(s, e, _int(g("ey2")), _month_number(g("emon2")), _int(g("ed2")), g(kind))
        else:
            tok = _Tok(s, e, int(g("yy")), None, None, g(kind))
        out.append(tok)
    return out


def _int(value: str | None) -> int | None:
    return int(value) if value else None


def _inherit(tokens: list[_Tok]) -> None:
    """Fill elided parts: ``2022年10月20日、21日`` (forward), ``March to May 2019`` (backward)."""
    for i, tok in enumerate(tokens):
        if tok.d is not None and tok.m is None:
            src = next((t for t in reversed(tokens[:i]) if t.m is not None), None)
            if src is None:
                src = next((t for t in tokens[i + 1:] if t.m is not None), None)
            if src is not None:
                tok.m = src.m
                if tok.y is None:
                    tok.y = src.y
        if tok.y is None:
            src = next((t for t in reversed(tokens[:i]) if t.y is not None), None)
            if src is None:
                src = next((t for t in tokens[i + 1:] if t.y is not None), None)
            if src is not None:
                tok.y = src.y


def _split_brackets(text: str) -> tuple[str, list[str]]:
    """Remove bracketed parts and return (outside text, bracket contents in textual order;
    a nested bracket comes before the one around it)."""
    remarks: list[str] = []
    outside = text
    while True:
        match = _BRACKETS.search(outside)
        if match is None:
            break
        inner = (match.group(1) if match.group(1) is not None else match.group(2)).strip()
        remarks.append(inner)
        outside = outside[: match.start()] + " " + outside[match.end():]
    return outside, remarks


def _span_from(text: str) -> tuple[list[DateValue], list[str], bool, str]:
    """Dates, invalid fragments, range flag and leftover (non-date) text of ``text``."""
    tokens = _tokens(text)
    _inherit(tokens)
    values: list[DateValue] = []
    invalid: list[str] = []
    is_range = False
    kept: list[_Tok] = []
    for tok in tokens:
        if tok.y is None:  # a month or day with no year anywhere: not a date on its own
            continue
        if tok.d is not None and tok.m is None:
            continue
        if not _valid(tok.y, tok.m, tok.d):
            invalid.append(tok.text.strip())
            continue
        values.append(DateValue.of(tok.y, tok.m, tok.d))
        kept.append(tok)
    for a, b in zip(tokens, tokens[1:], strict=False):
        if _RANGE_SEP.search(text[a.end:b.start]):
            is_range = True
    leftover_parts: list[str] = []
    pos = 0
    for tok in tokens:
        leftover_parts.append(text[pos:tok.start])
        pos = tok.end
    leftover_parts.append(text[pos:])
    leftover = [
        p.strip(" ,;、:") for p in leftover_parts
        if p.strip() and not _FILLER.match(p) and not _RANGE_SEP.fullmatch(p.strip())
    ]
    return values, invalid, is_range, "; ".join(x for x in leftover if x)


def parse_date(text: str) -> DateSpan | None:
    """Parse a free-text date field into a :class:`DateSpan`.

    In: the field value, e.g. ``'2019年3月21日'``, ``'2019年4月(爆炸事件后)'``,
    ``'2022年10月20日、21日及25日'``, ``'2018年12月至2019年05月'``, ``'2022-10-01'``,
    ``'2024/01/15'``, ``'March 2019'``, ``'21 March 2019'``, ``'2019-03-21T10:00:00'``.
    Ranges use ``至 到 - – ~ to``; lists use ``、 , 及 和 and``.  Elided parts are inherited
    (``21日`` after ``2022年10月20日`` is 2022-10-21; ``March to May 2019`` is 2019-03..05).
    Full-width digits, brackets and tildes are accepted.

    Out: a :class:`DateSpan`, or ``None`` when the text holds no valid date (including when
    every date in it is impossible, such as ``2019年2月30日``; a caller should then report
    ``unparsed-date``).  Invalid fragments next to valid dates are dropped and listed in
    ``invalid``.  A date needs a year: ``3月`` alone is ``None``.

    Bracketed text (``()``, ``（）``, ``[]``, ``【】``) is a remark, never the date, even
    when it contains dates: ``2019年3月(2018年12月至2019年05月)`` is 2019-03 with remark
    ``2018年12月至2019年05月``.  Only when nothing outside brackets is a date is the first
    bracket holding a date read instead (the outside text then becomes the remark).

    Never raises for any ``str``; a non-``str`` argument gives ``None``.

    >>> span = parse_date("2022年10月20日、21日及25日")
    >>> [str(d) for d in span.dates], str(span.end), span.is_range
    (['2022-10-20', '2022-10-21', '2022-10-25'], '2022-10-25', False)
    >>> span = parse_date("2019年4月(爆炸事件后)")
    >>> str(span.start), span.precision, span.remark
    ('2019-04', 'month', '爆炸事件后')
    >>> parse_date("2019年2月30日") is None
    True
    """
    if not isinstance(text, str):
        return None
    raw = text
    folded = text.translate(_FOLD).strip()
    if not folded:
        return None
    outside, bracket_remarks = _split_brackets(folded)
    values, invalid, is_range, leftover = _span_from(outside)
    remarks = list(bracket_remarks)
    if not values and not invalid:
        # the date may be the bracketed part: "爆炸事件后(2019年4月)"
        for k, inner in enumerate(bracket_remarks):
            v2, i2, r2, left2 = _span_from(inner)
            if v2:
                values, invalid, is_range = v2, i2, r2
                remarks = [r for j, r in enumerate(bracket_remarks) if j != k]
                extra = " ".join(outside.split())
                if extra and not _FILLER.match(extra):
                    remarks.insert(0, extra)
                if left2:
                    remarks.append(left2)
                leftover = ""
                break
    if not values:
        return None
    if leftover:
        remarks.append(leftover)
    remark = "; ".join(r for r in remarks if r) or None
    return DateSpan(
        start=values[0],
        end=values[-1] if len(values) > 1 else None,
        dates=tuple(values),
        remark=remark,
        raw=raw,
        invalid=tuple(invalid),
        is_range=is_range and len(values) > 1,
    )


_ISO_FULL = re.compile(
    rf"(?P<y>\d{{4}})(?:(?P<sep>[-/.])(?P<m>\d{{1,2}})(?:(?P=sep)(?P<d>\d{{1,2}}){_TIME})?)?"
)


def parse_iso_date(value: object) -> DateValue | None:
    """Read one front-matter date value.

    In: ``datetime.date`` / ``datetime.datetime`` (as YAML loads ``2022-10-01``; a datetime
    keeps its date part), ``int`` year (YAML ``2022``), or ``str``: ``'2022-10-01'``,
    ``'2022-10'``, ``'2022'``, ``'2024/01/15'``, ``'2019-03-21T10:00:00'``.  Any other
    string is tried with :func:`parse_date` and accepted only if it names exactly one
    date with nothing else around it (``'2022年10月'`` yes, ``'2022年(草案)'`` no).

    Out: a :class:`DateValue` at the precision written, or ``None`` for empty, invalid
    (``'2019-02-30'``, month 13) or non-date values (``bool``, ``float``, lists).  Never raises.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return DateValue.of(value.year, value.month, value.day) if _valid(value.year) else None
    if isinstance(value, int):
        return DateValue.of(value) if _valid(value) else None
    if not isinstance(value, str):
        return None
    text = value.translate(_FOLD).strip()
    if not text:
        return None
    match = _ISO_FULL.fullmatch(text)
    if match:
        y, m, d = int(match.group("y")), _int(match.group("m")), _int(match.group("d"))
        return DateValue.of(y, m, d) if _valid(y, m, d) else None
    span = parse_date(text)
    if span is None or span.end is not None or span.remark or span.invalid:
        return None
    return span.start
