"""Tests for ccus_kg.ingest.dates: every date form the inputs use, with its precision."""

from __future__ import annotations

import datetime as dt

import pytest

from ccus_kg.ingest.dates import DateSpan, DateValue, parse_date, parse_iso_date


def lex(span: DateSpan | None) -> tuple[str, str | None, tuple[str, ...]]:
    assert span is not None
    return span.start.lexical, span.end.lexical if span.end else None, tuple(d.lexical for d in span.dates)


# --------------------------------------------------------------------------- DateValue


@pytest.mark.parametrize(
    ("lexical", "precision", "xsd"),
    [("2019-03-21", "day", "date"), ("2019-04", "month", "gYearMonth"), ("2022", "year", "gYear")],
)
def test_xsd_type_follows_precision(lexical: str, precision: str, xsd: str) -> None:
    value = DateValue(lexical, precision)  # type: ignore[arg-type]
    assert value.xsd_type == xsd
    assert str(value) == lexical


def test_datevalue_rejects_impossible_values() -> None:
    with pytest.raises(ValueError):
        DateValue("2019-02-30", "day")
    with pytest.raises(ValueError):
        DateValue("2019-04", "day")
    with pytest.raises(ValueError):
        DateValue.of(2019, 13)
    with pytest.raises(ValueError):
        DateValue.of(2019, None, 5)


def test_datevalue_parts_and_bounds() -> None:
    feb = DateValue.of(2020, 2)
    assert (feb.year, feb.month, feb.day) == (2020, 2, None)
    assert feb.first_day() == dt.date(2020, 2, 1)
    assert feb.last_day() == dt.date(2020, 2, 29)
    assert DateValue.of(2022).last_day() == dt.date(2022, 12, 31)
    assert DateValue.of(2019, 3, 21) == DateValue("2019-03-21", "day")


# --------------------------------------------------------------------------- Chinese forms


def test_chinese_day() -> None:
    span = parse_date("2019年3月21日")
    assert span is not None
    assert span.start == DateValue("2019-03-21", "day")
    assert span.start.xsd_type == "date"
    assert span.end is None and span.remark is None and span.raw == "2019年3月21日"


@pytest.mark.parametrize("text", ["2019年4月(爆炸事件后)", "2019年4月（爆炸事件后）"])
def test_chinese_month_with_remark(text: str) -> None:
    span = parse_date(text)
    assert span is not None
    assert span.start == DateValue("2019-04", "month")
    assert span.start.xsd_type == "gYearMonth"
    assert span.remark == "爆炸事件后"
    assert span.end is None


@pytest.mark.parametrize(("text", "lexical"), [("2022年", "2022"), ("2021年", "2021")])
def test_chinese_year(text: str, lexical: str) -> None:
    span = parse_date(text)
    assert span is not None
    assert span.start == DateValue(lexical, "year")
    assert span.start.xsd_type == "gYear"


def test_chinese_month_and_day_forms() -> None:
    assert lex(parse_date("2023年11月")) == ("2023-11", None, ("2023-11",))
    assert lex(parse_date("2020年1月29日")) == ("2020-01-29", None, ("2020-01-29",))
    assert lex(parse_date("２０１９年３月")) == ("2019-03", None, ("2019-03",))


def test_chinese_list_of_days_inherits_year_and_month() -> None:
    span = parse_date("2022年10月20日、21日及25日")
    assert lex(span) == ("2022-10-20", "2022-10-25", ("2022-10-20", "2022-10-21", "2022-10-25"))
    assert span is not None and not span.is_range
    assert all(d.precision == "day" for d in span.dates)


def test_chinese_month_range() -> None:
    span = parse_date("2018年12月至2019年05月")
    assert lex(span) == ("2018-12", "2019-05", ("2018-12", "2019-05"))
    assert span is not None and span.is_range and span.precision == "month"


def test_bracketed_dates_are_a_remark_not_the_date() -> None:
    span = parse_date("2019年3月(2018年12月至2019年05月)")
    assert lex(span) == ("2019-03", None, ("2019-03",))
    assert span is not None and span.remark == "2018年12月至2019年05月"


def test_date_only_inside_brackets_is_still_found() -> None:
    span = parse_date("爆炸事件后(2019年4月)")
    assert span is not None
    assert span.start.lexical == "2019-04"
    assert span.remark == "爆炸事件后"


def test_words_around_the_date_are_kept_as_remark() -> None:
    span = parse_date("2019年上半年")
    assert span is not None and span.start.lexical == "2019" and span.remark == "上半年"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019年3月至5月", ("2019-03", "2019-05", ("2019-03", "2019-05"))),
        ("2022年10月20日到2022年10月25日", ("2022-10-20", "2022-10-25", ("2022-10-20", "2022-10-25"))),
        ("2019-2021", ("2019", "2021", ("2019", "2021"))),
        ("2019 – 2021", ("2019", "2021", ("2019", "2021"))),
        ("2019~2021", ("2019", "2021", ("2019", "2021"))),
        ("2019～2021", ("2019", "2021", ("2019", "2021"))),
        ("2019 to 2021", ("2019", "2021", ("2019", "2021"))),
        ("2022-10-01 - 2022-10-05", ("2022-10-01", "2022-10-05", ("2022-10-01", "2022-10-05"))),
        ("2022-10至2023-01", ("2022-10", "2023-01", ("2022-10", "2023-01"))),
    ],
)
def test_ranges(text: str, expected: tuple[str, str, tuple[str, ...]]) -> None:
    span = parse_date(text)
    assert lex(span) == expected
    assert span is not None and span.is_range


# --------------------------------------------------------------------------- ISO and English


@pytest.mark.parametrize(
    ("text", "lexical", "precision"),
    [
        ("2022-10-01", "2022-10-01", "day"),
        ("2022-10", "2022-10", "month"),
        ("2022", "2022", "year"),
        ("2024/01/15", "2024-01-15", "day"),
        ("2024.01.15", "2024-01-15", "day"),
        ("2019-03-21T10:00:00", "2019-03-21", "day"),
        ("2019-03-21T10:00:00+08:00", "2019-03-21", "day"),
        ("2025-05-01 16:56:12", "2025-05-01", "day"),
        ("March 2019", "2019-03", "month"),
        ("Mar. 2019", "2019-03", "month"),
        ("21 March 2019", "2019-03-21", "day"),
        ("March 21, 2019", "2019-03-21", "day"),
        ("21st Sept 2019", "2019-09-21", "day"),
    ],
)
def test_single_date_forms(text: str, lexical: str, precision: str) -> None:
    span = parse_date(text)
    assert span is not None
    assert span.start == DateValue(lexical, precision)  # type: ignore[arg-type]
    assert span.end is None and span.remark is None


def test_english_ranges_and_lists_inherit_backwards() -> None:
    assert lex(parse_date("March to May 2019")) == ("2019-03", "2019-05", ("2019-03", "2019-05"))
    assert lex(parse_date("20–25 October 2022")) == ("2022-10-20", "2022-10-25", ("2022-10-20", "2022-10-25"))
    assert lex(parse_date("October 20–25, 2022")) == ("2022-10-20", "2022-10-25", ("2022-10-20", "2022-10-25"))
    span = parse_date("20, 21 and 25 October 2022")
    assert lex(span) == ("2022-10-20", "2022-10-25", ("2022-10-20", "2022-10-21", "2022-10-25"))
    assert span is not None and not span.is_range


# --------------------------------------------------------------------------- invalid / empty


@pytest.mark.parametrize("text", ["", "   ", "不详", "3月", "21日", "2019-02-30", "2019年2月30日", "2019-13", "关停57,275家"])
def test_no_date_gives_none(text: str) -> None:
    assert parse_date(text) is None


def test_invalid_end_is_dropped_and_listed() -> None:
    span = parse_date("2019-02-01至2019-02-30")
    assert span is not None
    assert span.start.lexical == "2019-02-01"
    assert span.end is None
    assert span.invalid == ("2019-02-30",)


def test_leap_day() -> None:
    assert parse_date("2020年2月29日") is not None
    assert parse_date("2019年2月29日") is None


def test_non_string_gives_none() -> None:
    assert parse_date(None) is None  # type: ignore[arg-type]
    assert parse_date(2019) is None  # type: ignore[arg-type]


# --------------------------------------------------------------------------- front matter


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-10-01", DateValue("2022-10-01", "day")),
        ("2022-10", DateValue("2022-10", "month")),
        ("2022", DateValue("2022", "year")),
        (" 2024/01/15 ", DateValue("2024-01-15", "day")),
        ("2019-03-21T10:00:00", DateValue("2019-03-21", "day")),
        (2022, DateValue("2022", "year")),
        (dt.date(2022, 10, 1), DateValue("2022-10-01", "day")),
        (dt.datetime(2022, 10, 1, 8, 30), DateValue("2022-10-01", "day")),
        ("2022年10月", DateValue("2022-10", "month")),
    ],
)
def test_parse_iso_date(value: object, expected: DateValue) -> None:
    assert parse_iso_date(value) == expected


@pytest.mark.parametrize(
    "value", [None, "", "2019-02-30", "2019-13", True, 2022.0, 99, "soon", "2022年(草案)", "2019至2021", ["2022"]]
)
def test_parse_iso_date_rejects(value: object) -> None:
    assert parse_iso_date(value) is None
