"""The linker's citation title index (ccus_kg.rdf.links) finds what an exhaustive scan of the titles finds.

A cited title resolves to a work when its folded title equals the citation (``citation-exact``), or
when the works whose titles contain the citation, or that it contains (``MIN_CONTAINED_TITLE``
characters or more), are exactly one (``citation-contains``).  ``_Linker.containing`` finds those
titles through an index of their 8-character substrings and ``_Linker.resolve`` stops counting
works at the second; here both are compared with the rule applied to every title of the table:

- a hand-made table, Chinese and English: one title held by copies (``… 第BCDFGH号``, ``… No. KQZXB``),
  titles sharing their first 8 characters but not the rest, titles inside others, one title of two
  works, a work with an English and a Chinese title;
- random titles over a 3-letter alphabet (every title shares substrings with many others), queried
  between additions as the linker adds named works while it resolves citations.
"""

from __future__ import annotations

import random

import pytest

from ccus_kg.rdf.links import MIN_CONTAINED_TITLE, _Linker
from ccus_kg.text import fold_title

TABLE = [
    ("w:nat", "工业领域碳达峰实施方案"),
    ("w:js", "江苏省工业领域碳达峰实施方案"),
    ("w:js-more", "江苏省工业领域及重点行业碳达峰实施方案"),
    ("w:copy1", "工业领域碳达峰实施方案第BCDFGH号"),
    ("w:copy2", "工业领域碳达峰实施方案第BCDFGJ号"),
    ("w:copy3", "工业领域碳达峰实施方案第BCDFGK号"),
    ("w:act", "工业领域碳达峰行动计划"),  # its first 8 characters are those of w:nat's: 工业领域碳达峰行 ≠ …碳达峰实
    ("w:parks", "中国零碳工业园区建设指南"),
    ("w:parks-twin", "中国零碳工业园区建设指南"),  # one title, two works
    ("w:ccs", "National Carbon Capture Strategy"),
    ("w:ccs", "国家碳捕集战略"),  # the same work's Chinese title (shorter than 8 characters once folded)
    ("w:ccs-copy1", "National Carbon Capture Strategy No. KQZXB"),
    ("w:ccs-copy2", "National Carbon Capture Strategy No. KQZXC"),
    ("w:ccus-act", "National Carbon Capture and Storage Act"),
    ("w:nz", "Net Zero Strategy"),
    ("w:nz-plan", "Net Zero Strategy Delivery Plan"),
    ("w:storage", "Carbon Capture and Storage Act"),
]


def _exhaustive_containing(titles: dict[str, set[str]], key: str) -> set[str]:
    if len(key) < MIN_CONTAINED_TITLE:
        return set()
    return {t for t in titles if len(t) >= MIN_CONTAINED_TITLE and (key in t or t in key)}


def _exhaustive_resolve(titles: dict[str, set[str]], title: str, exclude: str) -> tuple[str, str]:
    """The rule of ``_Linker.resolve`` over every title of ``titles`` (folded title → work IRIs)."""
    key = fold_title(title)
    if not key:
        return "", ""
    hits = titles.get(key, set()) - {exclude}
    if len(hits) == 1:
        return next(iter(hits)), "citation-exact"
    if hits:
        return "", ""
    contained = set().union(*(titles[t] for t in _exhaustive_containing(titles, key)))
    if exclude in contained:
        return exclude, "self"
    if len(contained) == 1:
        return next(iter(contained)), "citation-contains"
    return "", ""


def _queries(titles: list[str]) -> list[str]:
    """Every title, every substring of it of 6 characters or more, and titles with more around them."""
    found = set(titles)
    for t in titles:
        found.update(t[i:j] for i in range(len(t)) for j in range(i + 6, len(t) + 1))
        found.update({"江苏省" + t, t + "修订版", "the " + t, t + " 2030"})
    return sorted(found)


def _check(linker: _Linker, table: list[tuple[str, str]], queries: list[str]) -> int:
    titles: dict[str, set[str]] = {}
    for iri, title in table:
        titles.setdefault(fold_title(title), set()).add(iri)
    works = ["", *sorted({iri for iri, _t in table})]
    checked = 0
    for q in queries:
        key = fold_title(q)
        assert linker.containing(key) == _exhaustive_containing(titles, key), q
        for exclude in works:
            assert linker.resolve(q, exclude) == _exhaustive_resolve(titles, q, exclude), (q, exclude)
            checked += 1
    return checked


def test_table_of_titles_en_and_zh():
    linker = _Linker([])
    for iri, title in TABLE:
        linker.add_title(fold_title(title), iri)
    checked = _check(linker, TABLE, _queries([t for _iri, t in TABLE]))
    assert checked > 10_000
    # the table holds each outcome, so the comparison above covers them all
    assert linker.resolve("工业领域碳达峰实施方案") == ("w:nat", "citation-exact")
    assert linker.resolve("江苏省工业领域及重点行业碳达峰") == ("w:js-more", "citation-contains")
    assert linker.resolve("工业领域碳达峰实施") == ("", "")  # held by w:nat, w:js and the copies
    assert linker.resolve("工业领域碳达峰实施", exclude="w:copy2") == ("w:copy2", "self")
    assert linker.resolve("中国零碳工业园区建设指南") == ("", "")  # one title of two works
    assert linker.resolve("Net Zero Strategy Delivery") == ("", "")  # in w:nz-plan's title, holds w:nz's
    assert linker.resolve("Carbon Capture Strategy No. KQZXB") == ("w:ccs-copy1", "citation-contains")
    assert linker.resolve("The National Carbon Capture and Storage Act of 2030") == ("", "")  # holds w:ccus-act and w:storage
    assert linker.resolve("National Carbon Capture Strategy No. KQZXC", exclude="w:ccs-copy1") == ("w:ccs-copy2", "citation-exact")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_titles_sharing_substrings(seed):
    rng = random.Random(seed)
    linker = _Linker([])
    table: list[tuple[str, str]] = []
    for step in range(6):  # titles added between queries, as named works are while citations resolve
        for _ in range(25):
            iri = f"w:{rng.randrange(60)}"  # some works get several titles, some titles several works
            title = "".join(rng.choice("ab工") for _ in range(rng.randrange(5, 15)))
            table.append((iri, title))
            linker.add_title(fold_title(title), iri)
        queries = ["".join(rng.choice("ab工") for _ in range(rng.randrange(6, 16))) for _ in range(150)]
        queries += [t for _iri, t in table[-10:]]
        _check(linker, table, queries)
        assert step < 5 or len({fold_title(t) for _i, t in table}) > 100
