"""Lineage links beyond supersedes: citations, named works, implementation across levels (pure).

:func:`infer_links` reads the quads a conversion made (policies, timeline events, jurisdictions,
agencies) and returns new quads: no file is read, nothing is asked of a store.

Every lineage link is one :class:`Link` and is written by :func:`emit_link` as an RDF reified
statement (``rdf:Statement``, RDF 1.1 Semantics §D.2 vocabulary; our ``ccus:LineageLink``) with
its rule, evidence, and whether the data *states* it or ccus-kg *infers* it.  A stated link is
also asserted as the direct triple in both directions (``eli:cites`` / ``eli:cited_by`` …); an
inferred one is not, so ``?a eli:implements ?b`` finds only what the data says, and
``?l ccus:inferred true`` finds what ccus-kg suggests for a curator to confirm.

Kinds and their ELI / DCTERMS properties (http://data.europa.eu/eli/ontology, ELI 1.5; DCMI
terms): ``replaces`` (``dcterms:replaces`` / ``dcterms:isReplacedBy``), ``consolidates``
(``eli:consolidates`` / ``eli:consolidated_by``), ``cites`` (``eli:cites`` / ``eli:cited_by``),
``implements`` (``eli:implements`` / ``eli:implemented_by``), ``based_on`` (``eli:based_on`` /
``eli:basis_for``).

Rules (``ccus:linkRule``):

* ``citation-exact`` (stated): a 《title》 (Chinese) or a quoted / italic English title in a
  policy's text or a timeline item equals a title of the graph after
  :func:`~ccus_kg.text.fold_title`.
* ``citation-contains`` (inferred, 0.7): one title contains the other (at least
  ``MIN_CONTAINED_TITLE`` characters, one candidate only).
* a citation that resolves to nothing is kept as a ``ccus:NamedWork`` with its title, and
  reported (``unresolved-citation``).  A timeline item whose *name* carries a 《title》 is a
  policy: the event is ``schema:about`` that work; titles only in its text are
  ``schema:mentions`` of the event and citations of the work.
* ``named-after`` (inferred): the core title of A (jurisdiction and agency names, brackets and
  years removed) contains the core title of B as a subsequence (``工业领域碳达峰实施方案`` in
  ``江苏省工业领域及重点行业碳达峰实施方案``), A is not older, and B's jurisdiction is A's or a
  broader one: ``implements`` across levels, ``based_on`` within one jurisdiction.
* ``counterpart-agency`` (inferred, 0.4): A is issued by the sub-national counterpart of B's
  national issuing agency (the same name once the jurisdiction and organ words are removed:
  *Jiangsu Provincial Department of* Industry and Information Technology / *Ministry of* …), A
  is at most ``COUNTERPART_YEARS`` younger, and their titles share a topic word → ``based_on``;
  of all such B, only the ``COUNTERPART_MAX`` with the most shared topic words (then the nearest
  in time, then by IRI) are linked, and none that another rule already links A to.  A curator
  gets a few suggestions per policy, and the links grow with the policies, not with their square
  (a database with many national policies per agency and year would otherwise link each
  sub-national policy to all of them).  The candidates are not made as pairs either: each
  policy's strongest are counted out of an index of its own (``_Linker.choose_counterparts_indexed``).
* ``short-title-in-text`` (inferred, 0.5 / 0.35 for a short form): an older policy's text names
  the key phrase of a younger one's title (its core without the document type), or its short form
  (first two and last two characters: ``零碳工业园区`` → ``零碳园区``), and the younger one is
  of the same or a narrower jurisdiction → the younger is ``based_on`` the older.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import hashlib
import heapq
import itertools
import json
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import ahocorasick
import pyoxigraph as ox

from ccus_kg.identity import iris
from ccus_kg.model import Problem
from ccus_kg.namespaces import CCUS, DCTERMS, ELI, RDF, SCHEMA, SKOS, XSD
from ccus_kg.rdf.triples import Emitter, named_node
from ccus_kg.text import fold_name, fold_title, has_han

__all__ = ["Link", "LinkResult", "LINK_PROPERTIES", "LINKER_PREDICATES", "LINKER_CLASSES", "emit_link", "emit_named_work",
           "infer_links", "cited_titles", "linker_quads", "policy_summaries", "policy_texts"]

#: Lineage kind → (property, inverse property).
LINK_PROPERTIES: dict[str, tuple[ox.NamedNode, ox.NamedNode]] = {
    "replaces": (DCTERMS.replaces, DCTERMS.isReplacedBy),
    "consolidates": (ELI.consolidates, ELI.consolidated_by),
    "cites": (ELI.cites, ELI.cited_by),
    "implements": (ELI.implements, ELI.implemented_by),
    "based_on": (ELI.based_on, ELI.basis_for),
}
#: A title shorter than this (characters, folded) is too generic to match on containment.
MIN_CONTAINED_TITLE = 8
#: How many of a core title's rarest tokens index it for the named-after rule (the more, the fewer candidates).
_NAMED_KEYS = 3
#: The counterpart-agency rule looks this many years after the national policy.
COUNTERPART_YEARS = 3
#: The counterpart-agency rule links a policy to at most this many national policies (the strongest).
COUNTERPART_MAX = 3
#: An incremental run with at most this many changed works pairs each of them with the works of its
#: jurisdiction chain directly (:class:`_Near`); with more, it builds the indexes of a full run.
NEAR_MAX = 64
#: The version of the linker's state (``LinkResult.state``): a state of another version gives a full run.
STATE_FORMAT = 2

_ZH_TITLE = re.compile(r"《(?P<title>[^《》\n]{2,80})》")
# *italic* or _italic_ (not **bold**), "double", “curly” quotes; English titles start with a capital
_EN_TITLE = re.compile(r"(?<![*\w])\*(?!\*)(?P<a>[A-Z][^*\n]{4,110}?)(?<!\*)\*(?![*\w])"
                       r"|(?<![\w])_(?P<b>[A-Z][^_\n]{4,110}?)_(?![\w])"
                       r"|\"(?P<c>[A-Z][^\"\n]{4,110}?)\"|“(?P<d>[A-Z][^”\n]{4,110}?)”")
_DOC_WORDS = frozenset("""act acts law laws plan plans regulation regulations directive directives rule rules strategy
    protocol agreement program programme framework code guideline guidelines standard standards policy bill decree
    order scheme roadmap treaty convention ordinance statute accord""".split())
_BRACKETS = re.compile(r"[(（\[【][^()（）\[\]【】]*[)）\]】]")
_YEARS = re.compile(r"\d{4}(?:\s*[-/–]\s*\d{2,4})?\s*年?")
_ZH_DOC_TYPES = ("指导意见", "实施方案", "行动方案", "实施细则", "管理办法", "建设指南", "实施意见", "工作方案", "规划", "方案",
                 "指南", "意见", "办法", "通知", "条例", "规定", "细则", "计划", "战略", "法案", "法")
_EN_STOP = frozenset("the of and for on in to a an national federal state provincial".split())
_ORGAN_WORDS = frozenset("""ministry department bureau commission administration agency office committee council of the
    provincial municipal state national people's peoples government and""".split())
_ZH_ORGAN = re.compile(r"(省|市|自治区)?(人民政府|委员会|管理局|总局|部|厅|局|委|办公室|办)$")
_GENERIC_BIGRAMS = frozenset({"实施", "方案", "行动", "规划", "指南", "意见", "办法", "通知", "关于", "中国", "国家", "全国", "建设"})


@dataclass(frozen=True)
class Link:
    """One lineage link: ``source`` → ``target`` (IRIs) of ``kind`` (a key of :data:`LINK_PROPERTIES`).

    ``inferred``: made by a rule of ours, not stated by the data; ``rule`` and ``evidence`` say
    how; ``confidence`` (0–1) only for inferred links.
    """

    source: str
    kind: str
    target: str
    inferred: bool
    rule: str
    evidence: str
    confidence: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class LinkResult:
    """What :func:`infer_links` made: ``quads`` to add, ``problems`` (unresolved citations),
    ``links`` (every link made), ``works`` (named works minted: IRI → title).

    The same output, structured (for a store that updates its inferred named graph by
    difference): ``made`` (the links the linker made, sorted; ``links`` also has those already in
    the quads), ``named`` (named work IRI → (title, language)), ``event_links`` (``(event IRI,
    property IRI, work IRI)``: ``schema:about`` / ``schema:mentions`` of timeline items), and
    ``state`` (JSON-ready; give it back as ``previous`` to the next :func:`infer_links`).
    """

    quads: list[ox.Quad]
    problems: list[Problem]
    links: list[Link]
    works: dict[str, str] = field(default_factory=dict)
    made: list[Link] = field(default_factory=list)
    named: dict[str, tuple[str, str]] = field(default_factory=dict)
    event_links: list[tuple[str, str, str]] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)


def emit_link(out: Emitter, link: Link) -> None:
    """Write ``link``: its reified statement and, when stated, the direct triples both ways."""
    prop, inverse = LINK_PROPERTIES[link.kind]
    s, o = named_node(link.source), named_node(link.target)
    if not link.inferred:
        out.add(s, prop, o)
        out.add(o, inverse, s)
    st = named_node(iris.lineage_link(link.source, link.kind, link.target))
    out.types(st, RDF.Statement, CCUS.LineageLink)
    out.add(st, RDF.subject, s)
    out.add(st, RDF.predicate, prop)
    out.add(st, RDF.object, o)
    out.add(st, CCUS.inferred, ox.Literal("true" if link.inferred else "false", datatype=XSD.boolean))
    out.plain(st, CCUS.linkRule, link.rule)
    out.text(st, CCUS.linkEvidence, link.evidence, "en")
    if link.confidence is not None:
        out.add(st, CCUS.linkConfidence, ox.Literal(f"{link.confidence:.2f}", datatype=XSD.decimal))


def cited_titles(text: str) -> list[tuple[str, str]]:
    """Titles a text cites, in order, without repeats: ``[(title, "zh" | "en")]``.

    Chinese: every 《…》.  English: a quoted ("…", “…”) or italic (``*…*``, ``_…_``) phrase that
    starts with a capital letter and has at least two words.

    >>> cited_titles('见《巴黎协定》与 the "Danish Climate Act" and *Net Zero Strategy*.')
    [('巴黎协定', 'zh'), ('Danish Climate Act', 'en'), ('Net Zero Strategy', 'en')]
    """
    found: list[tuple[str, str]] = []
    for m in _ZH_TITLE.finditer(text or ""):
        found.append((m.group("title").strip(), "zh"))
    for m in _EN_TITLE.finditer(text or ""):
        title = next(g for g in m.groups() if g).strip().rstrip(".,;:")
        if len(title.split()) >= 2:
            found.append((title, "en"))
    return list(dict.fromkeys(found))


def _looks_like_title(title: str, lang: str) -> bool:
    """Whether an unresolved citation is kept as a named work: any 《》 title; an English one of
    three words or more with a document word (Act, Plan, Strategy …)."""
    if lang == "zh":
        return True
    words = re.findall(r"[A-Za-z]+", title)
    return len(words) >= 3 and any(w.lower() in _DOC_WORDS for w in words)


def emit_named_work(out: Emitter, iri: str, title: str, lang: str) -> None:
    """Write a named work (``ccus:NamedWork``, ``eli:LegalResource``): a title cited that is no policy of the graph."""
    w = named_node(iri)
    out.types(w, CCUS.NamedWork, ELI.LegalResource)
    out.plain(w, DCTERMS.identifier, "work-" + iri.rsplit("/", 1)[-1])
    out.text(w, DCTERMS.title, title, lang)


# -- reading the quads ---------------------------------------------------------------------

_PROV_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
_TEXT_PREDICATES = (DCTERMS.description, DCTERMS.abstract, CCUS.interpretation)
#: What :func:`_policy_summaries` reads (the rest of a unit's quads is not indexed).
_SUMMARY_PREDICATES = frozenset({RDF.type, CCUS.inCorpus, DCTERMS.title, DCTERMS.identifier, _PROV_DERIVED, ELI.date_publication,
                                 CCUS.year, ELI.jurisdiction, ELI.passed_by, CCUS.filePath, *_TEXT_PREDICATES})
#: The only predicates the linker reads (besides ``rdf:type`` of :data:`LINKER_CLASSES`): a
#: store hands it these (:func:`linker_quads`), not the whole graph.
LINKER_PREDICATES: tuple[ox.NamedNode, ...] = (
    SKOS.broader, SKOS.prefLabel, SKOS.altLabel, CCUS.agencyJurisdiction,
    RDF.subject, RDF.predicate, RDF.object, CCUS.inferred, CCUS.linkRule, CCUS.linkEvidence, CCUS.linkConfidence,
    DCTERMS.title, CCUS.inCorpus, DCTERMS.identifier, *_TEXT_PREDICATES, _PROV_DERIVED, ELI.date_publication,
    CCUS.year, ELI.jurisdiction, ELI.passed_by, CCUS.filePath,
    CCUS.listedIn, SCHEMA.name, SCHEMA.description, CCUS.eventImpact, SCHEMA.startDate, SCHEMA.organizer, SCHEMA.location,
)
#: The classes whose ``rdf:type`` triples the linker reads.
LINKER_CLASSES: tuple[ox.NamedNode, ...] = (CCUS.Jurisdiction, CCUS.IssuingAgency, CCUS.LineageLink, CCUS.Policy, CCUS.TimelineEvent)

_LANG_RANK = {"en": 0, "zh": 1}


def linker_quads(store: ox.Store, graph: ox.NamedNode | None = None) -> Iterable[ox.Quad]:
    """The quads of ``store`` (of named graph ``graph``, or of every graph) that :func:`infer_links`
    reads: :data:`LINKER_PREDICATES` and the ``rdf:type`` triples of :data:`LINKER_CLASSES`, read
    predicate by predicate (a fraction of the graph, never all of it at once)."""
    for cls in LINKER_CLASSES:
        yield from store.quads_for_pattern(None, RDF.type, cls, graph)
    for p in LINKER_PREDICATES:
        yield from store.quads_for_pattern(None, p, None, graph)


def policy_texts(store: ox.Store, iri: str) -> list[str]:
    """The text literals (description, abstract, interpretation) of policy ``iri`` in ``store``, any named graph."""
    return [q.object.value for p in _TEXT_PREDICATES for q in store.quads_for_pattern(ox.NamedNode(iri), p, None)
            if isinstance(q.object, ox.Literal)]


def _value_order(term: Any) -> tuple[int, str]:
    return _LANG_RANK.get(getattr(term, "language", None) or "", 2), getattr(term, "value", "")


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:24]


def _work_digest(label: str, titles: list[str], date: str, jurisdiction: str, agencies: list[str], texts: str) -> str:
    """What the implementation rules read of a work (its texts by digest)."""
    return _digest([label, titles, date, jurisdiction, agencies, texts])


class _Index:
    """The quads by subject: ``props[s][p]`` → list of objects."""

    def __init__(self, quads: Iterable[ox.Quad]):
        self.props: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        self.types: dict[str, set[str]] = defaultdict(set)
        for q in quads:
            if not isinstance(q.subject, ox.NamedNode):
                continue
            s = q.subject.value
            if q.predicate == RDF.type:
                if isinstance(q.object, ox.NamedNode):
                    self.types[s].add(q.object.value)
            else:
                self.props[s][q.predicate.value].append(q.object)
        # one order whatever order the quads came in (a list, a store, named graphs): each value
        # once, English before Chinese before the rest, then by value
        for by_p in self.props.values():
            for p, objects in by_p.items():
                by_p[p] = sorted(set(objects), key=_value_order)

    def values(self, s: str, p: ox.NamedNode) -> list[Any]:
        return self.props.get(s, {}).get(p.value, [])

    def first(self, s: str, p: ox.NamedNode) -> str:
        v = self.values(s, p)
        return v[0].value if v else ""

    def of_type(self, cls: ox.NamedNode) -> list[str]:
        return sorted(s for s, t in self.types.items() if cls.value in t)


def _policy_summaries(ix: _Index) -> list[tuple[dict[str, Any], list[str]]]:
    """``(summary, texts)`` of each policy of the corpus in ``ix`` (see :func:`policy_summaries`)."""
    found: list[tuple[dict[str, Any], list[str]]] = []
    for p in ix.of_type(CCUS.Policy):
        if ix.first(p, CCUS.inCorpus) != "true":
            continue
        titles = [v.value for v in ix.values(p, DCTERMS.title)]
        pid = ix.first(p, DCTERMS.identifier)
        texts = [v.value for prop in _TEXT_PREDICATES for v in ix.values(p, prop)]
        source = ix.first(p, _PROV_DERIVED)
        found.append(({
            "iri": p, "label": titles[0] if titles else pid, "titles": titles,
            "date": ix.first(p, ELI.date_publication) or ix.first(p, CCUS.year), "jurisdiction": ix.first(p, ELI.jurisdiction),
            "agencies": [a.value for a in ix.values(p, ELI.passed_by)], "file": ix.first(source, CCUS.filePath) if source else None,
            "id": pid, "cites": [list(c) for text in texts for c in cited_titles(text)], "texts": _digest(texts),
        }, texts))
    for summary, _texts in found:
        summary["digest"] = _work_digest(summary["label"], summary["titles"], summary["date"], summary["jurisdiction"],
                                         summary["agencies"], summary["texts"])
    return found


def policy_summaries(quads: Iterable[ox.Quad]) -> list[dict[str, Any]]:
    """What the linker needs of each policy of the corpus in ``quads`` (one conversion unit's), JSON-ready.

    Keys: ``iri``, ``label``, ``titles``, ``date``, ``jurisdiction``, ``agencies`` (IRIs),
    ``file``, ``id``, ``cites`` (``[title, language]`` cited by its texts, in order) and
    ``texts`` (a digest of its texts, which are not kept: :func:`infer_links` asks for them).
    """
    needed = _SUMMARY_PREDICATES
    return [summary for summary, _texts in _policy_summaries(_Index(q for q in quads if q.predicate in needed))]


@dataclass
class _Work:
    """A legal resource of the graph as the rules see it."""

    iri: str
    label: str
    titles: list[str]
    date: str = ""  # ISO lexical form (YYYY, YYYY-MM or YYYY-MM-DD) or ''
    jurisdiction: str = ""  # IRI or ''
    agencies: list[str] = field(default_factory=list)
    texts: list[str] | None = field(default_factory=list)  # None: ask the linker's text source
    file: str | None = None
    subject_id: str = ""
    cites: list[tuple[str, str]] = field(default_factory=list)
    known_digest: str = ""  # its digest, from its summary

    def digest(self) -> str:
        """What the implementation rules read of this work (:func:`_work_digest`)."""
        if self.known_digest:
            return self.known_digest
        return _work_digest(self.label, self.titles, self.date, self.jurisdiction, self.agencies, _digest(self.texts))


class _PairSet:
    """A set of pairs ``(a, b)`` of ``works`` (sorted by IRI), added as IRIs: each pair one int64
    code (``index(a) * len(works) + index(b)``) in an array, 8 bytes a pair where a set of tuples
    of IRIs takes about 160 (numpy sorts and removes the repeats)."""

    def __init__(self, works: list[_Work]):
        self.works = works
        self.index = {w.iri: i for i, w in enumerate(works)}
        self.codes = array("q")

    def add(self, pair: tuple[str, str]) -> None:
        self.codes.append(self.index[pair[0]] * len(self.works) + self.index[pair[1]])

    def update(self, pairs: Iterable[tuple[str, str]]) -> None:
        for pair in pairs:
            self.add(pair)

    def sorted(self, chunk: int = 65_536) -> Iterator[tuple[_Work, _Work]]:
        """The pairs, each once, sorted by (a's IRI, b's IRI); the set is emptied."""
        import numpy as np  # here: a process reading a store (queries) does not pay for it

        codes = np.unique(np.frombuffer(self.codes, dtype=np.int64)) if self.codes else np.zeros(0, dtype=np.int64)
        self.codes = array("q")
        n = len(self.works)
        for start in range(0, len(codes), chunk):
            for code in codes[start:start + chunk].tolist():
                a, b = divmod(code, n)
                yield self.works[a], self.works[b]


class _Linker:
    def __init__(self, quads: Iterable[ox.Quad], texts: Callable[[str], list[str]] | None = None):
        self.ix = _Index(quads)
        self.texts_of = texts
        self.problems: list[Problem] = []
        self.links: dict[tuple[str, str, str], Link] = {}
        #: counterpart-agency candidates: source IRI → target IRI → (sort key, evidence); see :meth:`choose_counterparts`
        self.counterparts: dict[str, dict[str, tuple[tuple[int, int, str], tuple[str, list[str]]]]] = defaultdict(dict)
        #: whether :meth:`_pair` collects counterpart-agency candidates (the exhaustive and near paths); the indexed
        #: path chooses them per source instead (:meth:`choose_counterparts_indexed`)
        self.pair_counterparts = True
        self.works: dict[str, _Work] = {}
        self.named: dict[str, tuple[str, str]] = {}  # named work IRI → (title, language)
        self.event_links: list[tuple[str, str, str]] = []
        self.titles: dict[str, set[str]] = defaultdict(set)  # folded title → work IRIs
        #: each substring of MIN_CONTAINED_TITLE characters of a title → the titles holding it; lists, not sets
        #: (most substrings are in one title: a set of one takes 216 bytes, a list 64; 0.12 GB at 20,000 policies)
        self.grams: dict[str, list[str]] = defaultdict(list)
        self.title_keys: dict[str, list[str]] = defaultdict(list)  # work IRI → its folded titles (keys of ``titles``)
        self.broader: dict[str, str] = {}
        self.jurisdiction_names: dict[str, list[str]] = {}
        self._memo: dict[Any, Any] = {}
        self.short_hits: set[tuple[str, str]] = set()  # of the last candidates(): see infer_implementation
        context: list[Any] = []
        for j in self.ix.of_type(CCUS.Jurisdiction):
            b = self.ix.first(j, SKOS.broader)
            if b:
                self.broader[j] = b
            self.jurisdiction_names[j] = [v.value for p in (SKOS.prefLabel, SKOS.altLabel) for v in self.ix.values(j, p)]
            context.append([j, b, self.jurisdiction_names[j]])
        for a in self.ix.of_type(CCUS.IssuingAgency):
            self.jurisdiction_names.setdefault(a, [])
            context.append([a, [[v.value, v.language] for p in (SKOS.prefLabel, SKOS.altLabel) for v in self.ix.values(a, p)],
                            self.ix.first(a, CCUS.agencyJurisdiction)])
        #: what the implementation rules read besides the works: when it changes, every pair is looked at again
        self.context_digest = _digest(context)

    def existing_links(self) -> list[Link]:
        """The links already in the quads (emitted by the policy converter: supersedes, consolidation)."""
        kinds = {prop.value: kind for kind, (prop, _inverse) in LINK_PROPERTIES.items()}
        found = []
        for st in self.ix.of_type(CCUS.LineageLink):
            confidence = self.ix.first(st, CCUS.linkConfidence)
            found.append(Link(self.ix.first(st, RDF.subject), kinds[self.ix.first(st, RDF.predicate)], self.ix.first(st, RDF.object),
                              self.ix.first(st, CCUS.inferred) == "true", self.ix.first(st, CCUS.linkRule),
                              self.ix.first(st, CCUS.linkEvidence), float(confidence) if confidence else None))
        return found

    def memo(self, key: Any, make: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    # -- jurisdictions --------------------------------------------------------------------
    def chain(self, j: str) -> list[str]:
        """``j`` and its broader jurisdictions, narrowest first."""
        out: list[str] = []
        while j and j not in out:
            out.append(j)
            j = self.broader.get(j, "")
        return out

    def names_to_strip(self, w: _Work) -> list[str]:
        """The folded names of ``w``'s jurisdictions and agencies, longest first (memoised: works share them)."""
        return self.memo(("strip", w.jurisdiction, tuple(w.agencies)), lambda: self._names_to_strip(w))

    def _words_to_strip(self, w: _Work) -> set[str]:
        return self.memo(("strip-words", w.jurisdiction, tuple(w.agencies)),
                         lambda: {t for n in self.names_to_strip(w) for t in re.findall(r"[a-z0-9]+", fold_name(n))})

    def _names_to_strip(self, w: _Work) -> list[str]:
        names: list[str] = []
        for j in self.chain(w.jurisdiction):
            names += self.jurisdiction_names.get(j, [])
        for a in w.agencies:
            names += [v.value for p in (SKOS.prefLabel, SKOS.altLabel) for v in self.ix.values(a, p)]
        folded = {fold_title(n) for n in names if n}
        for n in list(folded):  # 江苏省 → 江苏 too
            if len(n) > 2 and n[-1] in "省市国":
                folded.add(n[:-1])
        return sorted((n for n in folded if n), key=len, reverse=True)

    # -- the works of the graph --------------------------------------------------------------
    def collect_policies(self, summaries: Iterable[dict[str, Any]] | None = None) -> None:
        """The policies of the corpus: from the quads, or from ``summaries`` (:func:`policy_summaries`,
        read one at a time: a store streams them from its manifest)."""
        found = _policy_summaries(self.ix) if summaries is None else ((s, None) for s in summaries)
        works = [_Work(s["iri"], s["label"], list(s["titles"]), s["date"], s["jurisdiction"], list(s["agencies"]), texts,
                       s["file"], s["id"], [(t, lang) for t, lang in s["cites"]], s["digest"]) for s, texts in found]
        for w in sorted(works, key=lambda w: w.iri):
            self.works[w.iri] = w
            for t in w.titles:
                self.add_title(fold_title(t), w.iri)

    def add_title(self, key: str, iri: str) -> None:
        if key not in self.titles and len(key) >= MIN_CONTAINED_TITLE:
            for gram in dict.fromkeys(key[i:i + MIN_CONTAINED_TITLE] for i in range(len(key) - MIN_CONTAINED_TITLE + 1)):
                self.grams[gram].append(key)  # each title once: titles are indexed when first seen
        if iri not in self.titles[key]:
            self.titles[key].add(iri)
            self.title_keys[iri].append(key)

    def _titles_holding(self, key: str) -> Iterator[str]:
        """The titles (folded, ``MIN_CONTAINED_TITLE`` characters or more) that contain ``key`` (as long):
        one of them holds every substring of ``MIN_CONTAINED_TITLE`` characters of ``key``, so the
        shortest list of ``grams`` among those substrings holds them all (copies of one title share its
        substrings; the rarest one is what tells them apart).  No list: no title holds ``key``."""
        n = MIN_CONTAINED_TITLE
        shortest: list[str] | None = None
        for i in range(len(key) - n + 1):
            known = self.grams.get(key[i:i + n])
            if known is None:
                return
            if shortest is None or len(known) < len(shortest):
                shortest = known
        yield from (title for title in shortest or () if key in title)

    def _titles_within(self, key: str) -> Iterator[str]:
        """The titles (folded, ``MIN_CONTAINED_TITLE`` characters or more) that ``key`` contains, ``key`` included."""
        n = MIN_CONTAINED_TITLE
        for i in range(len(key) - n + 1):
            if key[i:i + n] in self.grams:
                yield from (key[i:j] for j in range(i + n, len(key) + 1) if key[i:j] in self.titles)

    def containing(self, key: str) -> set[str]:
        """The titles (folded, of ``MIN_CONTAINED_TITLE`` characters or more) that contain ``key`` or
        that ``key`` contains (``key`` as long or longer; else none): through the index of their
        substrings, not by looking at every title.  Its work is the titles it returns plus the
        shortest list of titles holding a substring of ``key``; :meth:`resolve` stops at the second work."""
        if len(key) < MIN_CONTAINED_TITLE:
            return set()
        return set(self._titles_within(key)) | set(self._titles_holding(key))

    def resolve(self, title: str, exclude: str = "") -> tuple[str, str]:
        """The work IRI a cited title names and the rule: exact, contains, or ('', '').

        Exact: the one work (other than ``exclude``) of the folded title.  Else, of the works whose
        titles :meth:`containing` finds: ``(exclude, "self")`` when ``exclude`` is one of them (a
        text naming its own policy by a shorter title is no citation), the work when it is the only
        one; ('', '') for none or several.  The works are counted only up to the second (a title of
        every copy of a template is held by all the copies: the answer is '' whatever their number).
        """
        key = fold_title(title)
        if not key:
            return "", ""
        hits = self.titles.get(key, set()) - {exclude}
        if len(hits) == 1:
            return next(iter(hits)), "citation-exact"
        if hits or len(key) < MIN_CONTAINED_TITLE:
            return "", ""
        if any(len(own) >= MIN_CONTAINED_TITLE and (key in own or own in key) for own in self.title_keys.get(exclude, ())):
            return exclude, "self"  # one of exclude's titles is among those containing() finds
        contained: set[str] = set()
        for known in itertools.chain(self._titles_within(key), self._titles_holding(key)):
            contained |= self.titles[known]
            if len(contained) > 1:
                return "", ""
        if contained:
            return next(iter(contained)), "citation-contains"
        return "", ""

    def named_work(self, title: str, lang: str) -> str:
        key = fold_title(title)
        iri = iris.work(key)
        if iri not in self.named:
            self.named[iri] = (title, lang)
            self.add_title(key, iri)
            self.works[iri] = _Work(iri, title, [title], subject_id=title)
        return iri

    def link(self, source: str, kind: str, target: str, *, inferred: bool, rule: str, evidence: str,
             confidence: float | None = None) -> None:
        if source == target:
            return
        key = (source, kind, target)
        if key not in self.links:
            self.links[key] = Link(source, kind, target, inferred, rule, evidence, confidence)

    # -- citations ------------------------------------------------------------------------------
    def cite(self, source: str, title: str, lang: str, where: str, file: str | None, subject_id: str) -> str:
        """Resolve one cited title from ``source``'s text; link it; return the target IRI or ''."""
        target, rule = self.resolve(title, exclude=source)
        if rule == "self":
            return ""
        if not target:
            if not _looks_like_title(title, lang):
                return ""
            known = iris.work(fold_title(title)) in self.named
            target = self.named_work(title, lang)
            rule = "citation-exact" if known else "citation-unresolved"
            if not known:
                self.problems.append(Problem("info", "unresolved-citation",
                                             f"{where} cites {title!r}, which is no title of the graph; kept as named work {target}",
                                             file=file, subject=subject_id))
        inferred = rule == "citation-contains"
        self.link(source, "cites", target, inferred=inferred,
                  rule="citation-contains" if inferred else "citation-exact",
                  evidence=f"{where} cites {'《' + title + '》' if lang == 'zh' else repr(title)}",
                  confidence=0.7 if inferred else None)
        return target

    def policy_citations(self) -> None:
        for iri in sorted(self.works):
            w = self.works[iri]
            if iri in self.named:
                continue
            for title, lang in w.cites:
                self.cite(iri, title, lang, f"the text of policy {w.subject_id!r}", w.file, w.subject_id)

    def timeline_items(self) -> None:
        ix = self.ix
        for e in ix.of_type(CCUS.TimelineEvent):
            if not ix.values(e, CCUS.listedIn):
                continue  # a policy's own life event
            names = [v.value for v in ix.values(e, SCHEMA.name)]
            description = " ".join(v.value for prop in (SCHEMA.description, CCUS.eventImpact) for v in ix.values(e, prop))
            start = ix.first(e, SCHEMA.startDate)
            organizers = [a.value for a in ix.values(e, SCHEMA.organizer)]
            jurisdiction = ""
            for a in organizers:
                jurisdiction = ix.first(a, CCUS.agencyJurisdiction) or jurisdiction
            jurisdiction = jurisdiction or ix.first(e, SCHEMA.location)
            label = names[0] if names else e
            about: list[str] = []
            for name in names:
                for m in _ZH_TITLE.finditer(name):
                    title = m.group("title").strip()
                    target, _rule = self.resolve(title)
                    if not target:
                        target = self.named_work(title, "zh")
                        w = self.works[target]
                        w.date = min(filter(None, (w.date, start)), default="")
                        w.jurisdiction = w.jurisdiction or jurisdiction
                        w.agencies = w.agencies or organizers
                        assert w.texts is not None  # a named work's texts are its timeline items'
                        w.texts.append(description)
                    if target not in about:
                        about.append(target)
                        self.event_links.append((e, SCHEMA.about.value, target))
            for title, lang in cited_titles(description):
                if any(fold_title(title) == fold_title(self.works[a].label) for a in about):
                    continue
                for source in about or [""]:
                    if source:
                        target = self.cite(source, title, lang, f"timeline item {label!r}", None, label)
                    else:
                        target, _ = self.resolve(title)
                        if not target and _looks_like_title(title, lang):
                            target = self.named_work(title, lang)
                    if target:
                        self.event_links.append((e, SCHEMA.mentions.value, target))

    # -- implementation across levels ---------------------------------------------------------
    def core(self, w: _Work, title: str) -> list[str]:
        """Tokens of a title without brackets, years, jurisdiction and agency names: characters
        for Chinese, words for English (memoised per work and title)."""
        return self.memo(("core", w.iri, title), lambda: self._core(w, title))

    def _core(self, w: _Work, title: str) -> list[str]:
        text = _YEARS.sub(" ", _BRACKETS.sub(" ", title))
        if has_han(text):
            folded = fold_title(text)
            changed = True
            while changed:
                changed = False
                for name in self.names_to_strip(w):
                    if folded.startswith(name) and len(folded) > len(name):
                        folded, changed = folded[len(name):], True
            return list(folded)
        strip = self._words_to_strip(w)
        return [t for t in re.findall(r"[a-z0-9]+", fold_name(text)) if t not in _EN_STOP and t not in strip]

    @staticmethod
    def key_phrase(tokens: list[str]) -> list[str]:
        """The core without its trailing document type (实施方案, Plan …)."""
        joined = "".join(tokens)
        if tokens and len(tokens[0]) == 1:  # Chinese, one character per token
            for suffix in _ZH_DOC_TYPES:
                if joined.endswith(suffix) and len(joined) > len(suffix):
                    return list(joined[: -len(suffix)])
            return tokens
        return [t for t in tokens if t not in _DOC_WORDS]

    def level(self, w: _Work) -> int:
        return len(self.chain(w.jurisdiction))

    def folded_texts(self, w: _Work) -> list[str]:
        """``w``'s texts folded (:func:`~ccus_kg.text.fold_title`), memoised: for the pairs the rules look at."""
        return self.memo(("texts", w.iri), lambda: self.fold_texts(w))

    def fold_texts(self, w: _Work) -> list[str]:
        """``w``'s texts folded, not kept (a scan over every work's texts would hold them all)."""
        texts = w.texts if w.texts is not None else (self.texts_of(w.iri) if self.texts_of else [])
        return [fold_title(t) for t in texts]

    def features(self, w: _Work, known: dict[str, Any] | None = None) -> dict[str, Any]:
        """What the candidate rules read of ``w`` (JSON-ready, kept in the state): its core titles
        (``cores``, one a title: a string when every token is one character, else the token list)
        and whether each can be named after (``named``), its counterpart-agency organ keys and
        topic words (``organs``, ``topics``: the keys are every pair of the two), its key phrases
        (``phrases``), ``date`` and ``jurisdiction``.  ``known``: the features of the last run for
        an unchanged work in the same context, taken as they are (and its cores memoised)."""
        if known is not None:
            for title, tokens in zip(w.titles, known["cores"], strict=False):
                self._memo.setdefault(("core", w.iri, title), list(tokens))
            return known
        cores = [self.core(w, t) for t in w.titles]
        organs = self._organs(w)
        return {"cores": ["".join(c) if all(len(t) == 1 for t in c) else c for c in cores],
                "named": [self._nameable(w, t) for t in w.titles],
                "organs": organs, "topics": sorted(self._topics(w)) if organs else [], "phrases": self._phrases(w),
                "date": w.date, "jurisdiction": w.jurisdiction}

    def infer_implementation(self, previous: dict[str, Any] | None = None, *, exhaustive: bool = False) -> dict[str, Any]:
        """The rules between pairs of works that have a jurisdiction and a date.  A pair's links
        depend on its two works (and the jurisdiction and agency nodes) only, so with ``previous``
        (the state this returned last time, same context) only pairs with a changed work are
        looked at again and the other pairs' links are taken from ``previous``.  The pairs looked
        at are the candidates of :meth:`candidates` (indexes, one per rule: linear in the works
        and the links made), or, with at most :data:`NEAR_MAX` changed works, of :class:`_Near`
        (each changed work against its jurisdiction chain, from the features kept in the state:
        linear in the changed works times the works of their chains, nothing rebuilt for the
        others); ``exhaustive``: every pair instead (the reference, quadratic; tests compare them).
        On the indexed path (neither near nor ``exhaustive``) the counterpart-agency rule is no pair rule: every
        policy's counterparts are chosen again from their index (:meth:`choose_counterparts_indexed`,
        linear in the policies and their index entries), the old counterpart links are dropped.
        Returns the state: the works' digests and :meth:`features`, the short-title ``hits``
        (``[a, b]``: a key phrase of ``a`` is in the text of the older ``b``, of ``a``'s
        jurisdiction chain) and the implementation links."""
        works = [w for w in (self.works[i] for i in sorted(self.works)) if w.jurisdiction and w.date]
        digests = {w.iri: w.digest() for w in works}
        changed: set[str] | None = None
        old_links: list[Link] = []
        known: dict[str, Any] = {}
        hits: set[tuple[str, str]] = set()
        if (previous is not None and previous.get("context") == self.context_digest
                and previous.get("format") == STATE_FORMAT):  # a state of another version: a full run
            old = previous["works"]
            changed = {i for i in set(old) | set(digests) if old.get(i) != digests.get(i)}
            old_links = [Link(*item) for item in previous["links"]]
            known = previous["features"]
            hits = {(a, b) for a, b in previous["hits"] if a not in changed and b not in changed}
        features = {w.iri: self.features(w, known.get(w.iri) if changed is not None and w.iri not in changed else None)
                    for w in works}
        near = _Near(self, works, features) if changed is not None and not exhaustive and len(changed) <= NEAR_MAX else None
        pairs: Iterable[tuple[_Work, _Work]]
        if exhaustive:
            pairs = self.all_pairs(works, changed)
            hits |= self._hits(pairs)
        elif near is not None:
            assert changed is not None
            pairs, found = near.candidates(changed, known, previous["hits"] if previous else [])
            hits |= found
        else:
            pairs = self.candidates(works, changed)
            hits |= self.short_hits
            self.pair_counterparts = False  # every policy's counterparts are chosen again below, from the index
        if changed is not None and not self.pair_counterparts:
            # the other rules' links of unchanged pairs are kept; the counterpart links all chosen again (linear)
            for link in old_links:
                if link.source not in changed and link.target not in changed and link.rule != "counterpart-agency":
                    self.links[(link.source, link.kind, link.target)] = link
        elif changed is not None:
            pairs = list(pairs)
            # a policy's counterpart links depend on all its candidates: choose them again for every
            # policy paired with a changed one, from all its pairs (changed or not)
            redo = ({a.iri for a, b in pairs if b.iri in changed}
                    | {k.source for k in old_links if k.rule == "counterpart-agency" and k.target in changed}) - changed
            for link in old_links:
                if link.source in changed or link.target in changed:
                    continue
                if link.rule == "counterpart-agency" and link.source in redo:
                    continue
                self.links[(link.source, link.kind, link.target)] = link
            if redo:
                more = self.all_pairs(works, redo, sources=redo) if exhaustive else near.counterparts(redo) if near is not None else []
                seen = {(a.iri, b.iri) for a, b in pairs}
                pairs = pairs + [(a, b) for a, b in more if (a.iri, b.iri) not in seen]
        for a, b in pairs:
            self._pair(a, b)
        if self.pair_counterparts:
            self.choose_counterparts()
        else:
            self.choose_counterparts_indexed(works)
        kept = [list(link.__dict__.values()) for link in self.links.values() if link.kind in ("implements", "based_on")]
        return {"context": self.context_digest, "format": STATE_FORMAT, "works": digests, "features": features,
                "hits": sorted(map(list, hits)),
                "links": sorted(kept, key=lambda k: (k[0], k[1], k[2]))}

    def _hits(self, pairs: Iterable[tuple[_Work, _Work]]) -> set[tuple[str, str]]:
        """The short-title hits among ``pairs`` (``a`` younger, a key phrase of it in ``b``'s texts), pair by pair: the reference."""
        return {(a.iri, b.iri) for a, b in pairs
                if a.date > b.date and any(p in t for p in self._phrases(a) for t in self.folded_texts(b))}

    def all_pairs(self, works: list[_Work], changed: set[str] | None, sources: set[str] | None = None) -> list[tuple[_Work, _Work]]:
        """Every pair ``(a, b)`` of ``works`` with ``b`` of ``a``'s jurisdiction or a broader one (and,
        given ``changed``, one of them changed; given ``sources``, ``a`` among them): the reference
        for :meth:`candidates`."""
        by_j: dict[str, list[_Work]] = defaultdict(list)
        for w in works:
            by_j[w.jurisdiction].append(w)
        return [(a, b) for a in works if sources is None or a.iri in sources for j in self.chain(a.jurisdiction) for b in by_j.get(j, ())
                if a.iri != b.iri and (changed is None or a.iri in changed or b.iri in changed or sources is not None)]

    def _allowed(self, a: _Work, b: _Work, changed: set[str] | None) -> bool:
        return (a.iri != b.iri and b.jurisdiction in self.chain(a.jurisdiction)
                and (changed is None or a.iri in changed or b.iri in changed))

    def candidates(self, works: list[_Work], changed: set[str] | None) -> Iterable[tuple[_Work, _Work]]:
        """The pairs ``(a, b)`` of :meth:`all_pairs` for which the named-after or short-title rule can
        make a link, found through one index per rule instead of by looking at every pair; every other
        pair makes none of theirs, and a pair's links depend on that pair only, so their links are those
        of :meth:`all_pairs` (the counterpart-agency rule is no pair rule here: each policy's strongest
        counterparts are searched for in their own index, :meth:`choose_counterparts_indexed`):

        * named after: ``b``'s core title is a subsequence of ``a``'s, so ``a``'s core has the
          three rarest tokens of ``b``'s (document frequency over all cores): ``b`` is indexed by
          its jurisdiction and them (and kept only when all its tokens are in ``a``'s core), and
          by its whole core (a subsequence as long as the sequence is the sequence itself; only
          across jurisdictions, as an equal core within one is no match);
        * short title in text: the key phrases and short forms of every title in one Aho–Corasick
          automaton (pyahocorasick), run once over each older work's folded texts.

        The candidates are kept as one 8-byte code a pair (:class:`_PairSet`) and handed out one at a time.

        Sorted by IRIs.  Texts are read (``texts`` of :func:`infer_links`) only of works whose text
        can hold a changed work's phrase, or that changed."""
        found = _PairSet(works)
        self._named_after_candidates(works, found)
        short = _PairSet(works)
        self._short_title_candidates(works, changed, short)
        self.short_hits = {(a.iri, b.iri) for a, b in short.sorted() if self._allowed(a, b, None)}
        found.update(self.short_hits)
        return ((a, b) for a, b in found.sorted() if self._allowed(a, b, changed))

    def _named_after_candidates(self, works: list[_Work], found: _PairSet) -> None:
        cores = [(w, self.core(w, t)) for w in works for t in w.titles]
        df: dict[str, int] = defaultdict(int)
        for _w, c in cores:
            for token in set(c):
                df[token] += 1
        # jurisdiction → rarest token → second → third → [(length, IRI, tokens)] sorted; and (jurisdiction, core) → IRIs
        shorter: dict[str, Any] = {}
        same: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
        for w, c in cores:
            if len(self.key_phrase(c)) < 3:
                continue  # never the named one (see _named_after)
            rarest = sorted(set(c), key=lambda t: (df[t], t))[:_NAMED_KEYS]
            rarest += rarest[-1:] * (_NAMED_KEYS - len(rarest))
            node = shorter.setdefault(w.jurisdiction, {})
            for token in rarest[:-1]:
                node = node.setdefault(token, {})
            node.setdefault(rarest[-1], []).append((len(c), w.iri, frozenset(c)))
            same[(w.jurisdiction, tuple(c))].append(w.iri)
        leaves: list[Any] = [shorter]
        for _level in range(_NAMED_KEYS + 1):
            leaves = [child for node in leaves for child in node.values()]
        for entries in leaves:
            entries.sort()
        for a, ca in cores:
            if not ca:
                continue
            tokens = set(ca)
            for j in self.chain(a.jurisdiction):
                if j != a.jurisdiction:  # an equal core names no work of its own jurisdiction (see _named_after)
                    for b in same.get((j, tuple(ca)), ()):
                        found.add((a.iri, b))
                # every b whose rarest tokens are all in a's core (a subsequence holds them), then all its
                # tokens (copies of one title share their rarest tokens: a leaf grows with the works), and
                # whose core is shorter
                nodes = [shorter[j]] if j in shorter else []
                for _level in range(_NAMED_KEYS):
                    nodes = [node[t] for node in nodes
                             for t in ([t for t in tokens if t in node] if len(tokens) < len(node) else [t for t in node if t in tokens])]
                for entries in nodes:
                    found.update((a.iri, b) for _n, b, needed in entries[: bisect.bisect_left(entries, (len(ca), ""))]
                                 if needed <= tokens)

    def _topics(self, w: _Work) -> set[str]:
        """The topic words of ``w``'s titles: bigrams of their key phrases (words for English), not generic ones (memoised)."""
        return self.memo(("topics", w.iri), lambda: {t for tw in w.titles for t in _bigrams(self.key_phrase(self.core(w, tw)))}
                         - _GENERIC_BIGRAMS)

    def _organs(self, w: _Work) -> list[str]:
        """The organ keys of ``w``'s agencies (:meth:`_organ_key`), sorted, without empty ones (memoised per agencies)."""
        return self.memo(("organs", tuple(w.agencies)), lambda: sorted({k for k in map(self._organ_key, w.agencies) if k}))

    def choose_counterparts_indexed(self, works: list[_Work]) -> None:
        """Link each policy of ``works`` (sorted by IRI) to its ``COUNTERPART_MAX`` strongest
        counterpart-agency targets, as :meth:`choose_counterparts` does from every candidate pair,
        without making the pairs (they grow with the square of the policies: a sub-national policy
        shares an organ key and a topic word with every copy of a national one).

        The policies with an organ key, a topic word and a year, of a jurisdiction broader than some
        policy's, are indexed by (organ key, topic word, jurisdiction), each bucket sorted by (year,
        IRI).  For each policy ``a`` of a narrower jurisdiction: its buckets of each broader jurisdiction, cut to the years ``COUNTERPART_YEARS``
        before ``a``'s up to ``a``'s (bisection), counted per target (``collections.Counter`` over the
        slices: a target counted once per shared topic word, so the count is the number of shared topic
        words); then the targets are looked at count tier by count tier, highest first, and in a tier
        by (year gap, IRI) with a heap, taking those the rule allows (``b`` not younger than ``a``, no
        link of another rule from ``a`` to ``b``) until ``COUNTERPART_MAX`` are taken.  That is the
        order of :meth:`choose_counterparts` (``(-shared words, year gap, IRI)``), so the links are
        the same; only the tiers needed are keyed, a heap of ``COUNTERPART_MAX`` each.  A date that
        starts with no year gives no counterpart (as :meth:`_counterpart`)."""
        up = {j: self.chain(j)[1:] for j in {w.jurisdiction for w in works}}  # jurisdiction → its broader ones
        rows: list[tuple[int, int, list[str], set[str]]] = []  # (year, work index, organ keys, topic words)
        for i, w in enumerate(works):
            organs = self._organs(w)
            year = _year(w.date)
            if organs and year >= 0:
                topics = self._topics(w)
                if topics:
                    rows.append((year, i, organs, topics))
        rows.sort(key=lambda r: (r[0], r[1]))  # so every bucket is filled in (year, IRI) order
        targets = {j for _year_, i, _o, _t in rows for j in up[works[i].jurisdiction]}  # only these can be counterparts
        buckets: dict[tuple[str, str, str], tuple[list[int], list[int]]] = {}
        for year, i, organs, topics in rows:
            j = works[i].jurisdiction
            if j not in targets:
                continue
            for k in organs:
                for t in topics:
                    bucket = buckets.get((k, t, j))
                    if bucket is None:
                        bucket = buckets[(k, t, j)] = ([], [])
                    bucket[0].append(year)
                    bucket[1].append(i)
        for year, i, organs, topics in rows:
            a = works[i]
            broader = up[a.jurisdiction]  # across levels only
            if not broader:
                continue
            counts: Counter[int] = Counter()
            for t in topics:
                per_topic: set[int] = set()  # a target sharing two organ keys shares the topic word once
                for k in organs:
                    for j in broader:
                        bucket = buckets.get((k, t, j))
                        if bucket is not None:
                            years, ids = bucket
                            window = ids[bisect.bisect_left(years, year - COUNTERPART_YEARS):bisect.bisect_right(years, year)]
                            if len(organs) == 1:
                                counts.update(window)  # a target is of one jurisdiction: once per topic word
                            else:
                                per_topic.update(window)
                counts.update(per_topic)
            if counts:
                self._take_counterparts(a, works, counts, organs, topics)

    def _take_counterparts(self, a: _Work, works: list[_Work], counts: Counter[int], organs: list[str], topics: set[str]) -> None:
        """Link ``a`` to the ``COUNTERPART_MAX`` first of its candidates ``counts`` (work index in ``works`` → shared
        topic words) by (-count, year gap, IRI) that the rule allows (see :meth:`choose_counterparts_indexed`)."""
        year, taken = _year(a.date), 0
        for tier in sorted(set(counts.values()), reverse=True):
            allowed = ((year - _year(works[b].date), b) for b, n in counts.items()
                       if n == tier and works[b].date <= a.date and not self._linked(a.iri, works[b].iri))
            for _gap, b in heapq.nsmallest(COUNTERPART_MAX - taken, allowed):
                target = works[b]
                shared_organ = set(organs).intersection(self._organs(target))
                self._link_counterpart(a, target, min(shared_organ), sorted(topics & self._topics(target)))
                taken += 1
            if taken >= COUNTERPART_MAX:
                return

    def _phrases(self, w: _Work) -> list[str]:
        """The key phrases and short forms of ``w``'s titles that :meth:`_short_title_in_text` looks for (memoised)."""
        return self.memo(("phrases", w.iri), lambda: self._make_phrases(w))

    def _make_phrases(self, w: _Work) -> list[str]:
        return [p for phrase, short in self._title_phrases(w) for p in (phrase, short) if p]

    def _title_phrases(self, w: _Work) -> list[tuple[str, str]]:
        """``(key phrase, short form or '')`` of each title of ``w`` with a key phrase of 4 Han characters
        or more (an English phrase is too often a common name), in title order (memoised)."""
        return self.memo(("title-phrases", w.iri), lambda: self._make_title_phrases(w))

    def _make_title_phrases(self, w: _Work) -> list[tuple[str, str]]:
        out = []
        for tw in w.titles:
            key = self.key_phrase(self.core(w, tw))
            phrase = "".join(key)
            if sum(1 for ch in phrase if has_han(ch)) >= 4:
                out.append((phrase, "".join(key[:2] + key[-2:]) if len(key) >= 6 else ""))
        return out

    def _nameable(self, w: _Work, title: str) -> bool:
        """Whether ``w`` can be named after by its title ``title``: a key phrase of 3 tokens or more (memoised)."""
        return self.memo(("nameable", w.iri, title), lambda: len(self.key_phrase(self.core(w, title))) >= 3)

    def _short_title_candidates(self, works: list[_Work], changed: set[str] | None, found: _PairSet) -> None:
        by_phrase: dict[str, list[_Work]] = defaultdict(list)
        for w in works:
            for phrase in dict.fromkeys(self._phrases(w)):
                by_phrase[phrase].append(w)
        if not by_phrase:
            return
        if changed is None:
            older = works
        else:  # the changed works, and those whose text can name a changed work's phrase
            youngest: dict[str, str] = {}  # jurisdiction → the latest date of a changed work with a phrase there or below
            for a in works:
                if a.iri in changed and self._phrases(a):
                    for j in self.chain(a.jurisdiction):
                        youngest[j] = max(youngest.get(j, ""), a.date)
            older = [b for b in works if b.iri in changed or b.date < youngest.get(b.jurisdiction, "")]
        automaton = _phrase_automaton(by_phrase)
        for b in older:
            for text in self.fold_texts(b):
                for _end, younger in automaton.iter(text):
                    found.update((a.iri, b.iri) for a in younger if a.date > b.date)

    def _pair(self, a: _Work, b: _Work) -> None:
        """The rules for ``a`` (same or narrower jurisdiction as ``b``) against ``b``, in the order
        of a full pass: named after, else counterpart agency; then the short title in ``b``'s text."""
        if a.date >= b.date:
            across = b.jurisdiction != a.jurisdiction
            if not self._named_after(a, b, across) and across and self.pair_counterparts:
                self._counterpart(a, b)
        if a.date > b.date:
            self._short_title_in_text(b, a)

    def _named_after(self, a: _Work, b: _Work, across: bool) -> bool:
        for ta in a.titles:
            for tb in b.titles:
                ca, cb = self.core(a, ta), self.core(b, tb)
                if len(cb) > len(ca) or (ca == cb and not across) or not self._nameable(b, tb):
                    continue
                if (len(ca[0]) == 1) != (len(cb[0]) == 1):
                    continue
                if _is_subsequence(cb, ca):
                    confidence = round(0.5 + 0.4 * len(cb) / len(ca), 2)
                    sep = "" if len(ca[0]) == 1 else " "
                    self.link(a.iri, "implements" if across else "based_on", b.iri, inferred=True, rule="named-after",
                              evidence=f"{a.label!r} ({a.date}) is named after {b.label!r} ({b.date}): core title "
                                       f"{sep.join(cb)!r} within {sep.join(ca)!r}"
                                       + (", in a narrower jurisdiction" if across else ", same jurisdiction"),
                              confidence=confidence)
                    return True
        return False

    def _organ_key(self, agency: str) -> str:
        return self.memo(("organ", agency), lambda: self._make_organ_key(agency))

    def _make_organ_key(self, agency: str) -> str:
        labels = [v.value for v in self.ix.values(agency, SKOS.prefLabel) if v.language == "en"]
        if not labels:
            return ""
        j = self.ix.first(agency, CCUS.agencyJurisdiction)
        strip = {t for jj in self.chain(j) for n in self.jurisdiction_names.get(jj, []) for t in re.findall(r"[a-z]+", fold_name(n))}
        words = [t for t in re.findall(r"[a-z']+", fold_name(labels[0])) if t not in _ORGAN_WORDS and t not in strip]
        return " ".join(words)

    def _counterpart(self, a: _Work, b: _Work) -> None:
        """Keep ``b`` as a counterpart-agency candidate of ``a`` (across levels, ``a`` not older) if the rule allows it."""
        if _year(a.date) < 0 or _year(b.date) < 0 or _year(a.date) - _year(b.date) > COUNTERPART_YEARS:
            return
        shared_organ = set(self._organs(a)).intersection(self._organs(b))
        if not shared_organ:
            return
        shared = sorted(self._topics(a) & self._topics(b))
        if not shared:
            return
        gap = abs(_year(a.date) - _year(b.date))
        # the evidence is written only for the chosen few (a policy can have thousands of candidates)
        self.counterparts[a.iri][b.iri] = ((-len(shared), gap, b.iri), (min(shared_organ), shared))

    def choose_counterparts(self) -> None:
        """Link each policy to its ``COUNTERPART_MAX`` strongest counterpart-agency candidates (most
        shared topic words, nearest in time, then IRI) that no other rule links it to already."""
        for source, candidates in self.counterparts.items():
            free = sorted((key, target, why) for target, (key, why) in candidates.items() if not self._linked(source, target))
            for _key, target, (organ, shared) in free[:COUNTERPART_MAX]:
                self._link_counterpart(self.works[source], self.works[target], organ, shared)
        self.counterparts.clear()

    def _linked(self, source: str, target: str) -> bool:
        """Whether another rule links ``source`` to ``target`` already (then the counterpart-agency rule does not)."""
        return (source, "based_on", target) in self.links or (source, "implements", target) in self.links

    def _link_counterpart(self, a: _Work, b: _Work, organ: str, shared: list[str]) -> None:
        evidence = (f"{a.label!r} ({a.date}) is issued by the sub-national counterpart ({organ}) of the "
                    f"issuing agency of {b.label!r} ({b.date}); shared title words: {', '.join(shared)}")
        self.link(a.iri, "based_on", b.iri, inferred=True, rule="counterpart-agency", evidence=evidence, confidence=0.4)

    def _short_title_in_text(self, older: _Work, younger: _Work) -> None:
        if self._linked(younger.iri, older.iri):
            return
        folded_texts: list[str] | None = None
        for phrase, short in self._title_phrases(younger):
            for found, confidence, what in ((phrase, 0.5, "the key phrase"), (short, 0.35, "a short form")):
                if found and folded_texts is None:
                    folded_texts = self.folded_texts(older)
                if found and any(found in t for t in folded_texts or ()):
                    self.link(younger.iri, "based_on", older.iri, inferred=True, rule="short-title-in-text",
                              evidence=f"the text of {older.label!r} ({older.date}) names {found!r}, {what} of the title of "
                                       f"{younger.label!r} ({younger.date})",
                              confidence=confidence)
                    return


class _Near:
    """The candidate pairs of a few changed works, found without the indexes of a full run: each
    changed work against the works of its jurisdiction chain (both ways), tested on their
    :meth:`_Linker.features` (kept in the state for unchanged works).  The tests are those the
    indexes of :meth:`_Linker.candidates` stand for, so the pairs hold every pair a rule can link:

    * named after: a core of ``b`` that can be named after has no more tokens than a core of
      ``a`` and all its tokens are in it (a subsequence is), not equal within one jurisdiction;
    * counterpart agency: across levels, a shared (organ key, topic word), ``b`` at most
      ``COUNTERPART_YEARS`` older (either undated: any);
    * short title in text: the hits of the last run for a changed work whose phrases, date and
      jurisdiction are unchanged (the other work's text is unchanged), else its phrases looked for in
      the texts of the older works of its chain; a changed work's texts against the phrases of every
      younger work of its jurisdiction or a narrower one.
    """

    def __init__(self, linker: _Linker, works: list[_Work], features: dict[str, dict[str, Any]]):
        self.linker = linker
        self.works = works
        self.features = features
        self.by_iri = {w.iri: w for w in works}
        self.by_j: dict[str, list[_Work]] = defaultdict(list)
        for w in works:
            self.by_j[w.jurisdiction].append(w)
        self.chains = {j: linker.chain(j) for j in self.by_j}
        self.narrower: dict[str, list[str]] = defaultdict(list)  # jurisdiction → those whose chain holds it
        for j, chain in self.chains.items():
            for k in chain:
                self.narrower[k].append(j)
        self._views: dict[str, tuple[list[tuple[tuple[str, ...], frozenset[str], bool]], set[tuple[str, ...]], int]] = {}

    def _view(self, w: _Work) -> tuple[list[tuple[tuple[str, ...], frozenset[str], bool]], set[tuple[str, ...]], int]:
        v = self._views.get(w.iri)
        if v is None:
            f = self.features[w.iri]
            v = self._views[w.iri] = ([(tuple(c), frozenset(c), bool(n)) for c, n in zip(f["cores"], f["named"], strict=True)],
                                      {(k, t) for k in f["organs"] for t in f["topics"]}, _year(w.date))
        return v

    def _counterpart(self, a: _Work, b: _Work) -> bool:
        """Whether ``b`` (of a broader jurisdiction than ``a``'s) is a counterpart-agency candidate of ``a``."""
        _ca, keys_a, ya = self._view(a)
        _cb, keys_b, yb = self._view(b)
        return bool(keys_a & keys_b) and (yb < 0 or ya < 0 or ya - COUNTERPART_YEARS <= yb <= ya)

    def _may_link(self, a: _Work, b: _Work) -> bool:
        """Whether the named-after or counterpart-agency rule can link ``a`` to ``b`` (``b`` of ``a``'s chain)."""
        if a.iri == b.iri or a.date < b.date:
            return False  # _pair looks at these rules only when a is not older
        across = a.jurisdiction != b.jurisdiction
        cores_a = self._view(a)[0]
        for tb, sb, named in self._view(b)[0]:
            if named and any(len(tb) <= len(ta) and (across or ta != tb) and sb <= sa for ta, sa, _n in cores_a):
                return True
        return across and self._counterpart(a, b)

    def candidates(self, changed: set[str], known: dict[str, Any],
                   old_hits: list[list[str]]) -> tuple[list[tuple[_Work, _Work]], set[tuple[str, str]]]:
        """The pairs with a changed work a rule can link (sorted by IRIs) and the short-title hits with a changed work."""
        found: set[tuple[str, str]] = set()
        mine = [w for w in self.works if w.iri in changed]
        for c in mine:
            for j in self.chains[c.jurisdiction]:
                found.update((c.iri, b.iri) for b in self.by_j[j] if self._may_link(c, b))
            for j in self.narrower[c.jurisdiction]:
                found.update((a.iri, c.iri) for a in self.by_j[j] if self._may_link(a, c))
        hits = self._hits(mine, changed, known, old_hits)
        found |= hits
        return [(self.by_iri[a], self.by_iri[b]) for a, b in sorted(found)], hits

    def counterparts(self, sources: set[str]) -> list[tuple[_Work, _Work]]:
        """Every counterpart-agency candidate ``(a, b)`` of the works ``a`` in ``sources``, sorted by IRIs."""
        found = [(a, b) for a in (self.by_iri[i] for i in sorted(sources) if i in self.by_iri)
                 for j in self.chains[a.jurisdiction][1:] for b in self.by_j[j] if self._counterpart(a, b)]
        return sorted(found, key=lambda p: (p[0].iri, p[1].iri))

    def _hits(self, mine: list[_Work], changed: set[str], known: dict[str, Any], old_hits: list[list[str]]) -> set[tuple[str, str]]:
        linker, features = self.linker, self.features
        hits: set[tuple[str, str]] = set()
        for b in mine:  # its texts against the phrases of the younger works of its jurisdiction or a narrower one
            by_phrase: dict[str, list[_Work]] = defaultdict(list)
            for j in self.narrower[b.jurisdiction]:
                for a in self.by_j[j]:
                    if a.date > b.date:
                        for phrase in dict.fromkeys(features[a.iri]["phrases"]):
                            by_phrase[phrase].append(a)
            if not by_phrase:
                continue
            automaton = _phrase_automaton(by_phrase)
            for text in linker.fold_texts(b):
                for _end, younger in automaton.iter(text):
                    hits.update((a.iri, b.iri) for a in younger)
        previous: dict[str, list[str]] = defaultdict(list)
        for a_iri, b_iri in old_hits:
            if a_iri in changed and b_iri not in changed:
                previous[a_iri].append(b_iri)
        rescan: list[_Work] = []
        for a in mine:  # its phrases in the texts of the older unchanged works of its chain
            f, before = features[a.iri], known.get(a.iri)
            if not f["phrases"]:
                continue
            if before is not None and all(before.get(k) == f[k] for k in ("phrases", "date", "jurisdiction")):
                hits.update((a.iri, b) for b in previous[a.iri])  # the same phrases in the same texts
            else:
                rescan.append(a)
        if rescan:
            youngest: dict[str, str] = {}  # jurisdiction → the latest date of a rescanned work there or below
            by_phrase = defaultdict(list)
            for a in rescan:
                for j in self.chains[a.jurisdiction]:
                    youngest[j] = max(youngest.get(j, ""), a.date)
                for phrase in dict.fromkeys(features[a.iri]["phrases"]):
                    by_phrase[phrase].append(a)
            automaton = _phrase_automaton(by_phrase)
            for j, date in youngest.items():
                for b in self.by_j.get(j, ()):
                    if b.date >= date or b.iri in changed:
                        continue
                    for text in linker.fold_texts(b):
                        for _end, younger in automaton.iter(text):
                            hits.update((a.iri, b.iri) for a in younger if a.date > b.date and j in self.chains[a.jurisdiction])
        return hits


def _phrase_automaton(by_phrase: dict[str, list[_Work]]) -> Any:
    """An Aho–Corasick automaton (pyahocorasick) over the phrases of ``by_phrase``: a phrase found gives its works."""
    automaton = ahocorasick.Automaton()
    for phrase, works in by_phrase.items():
        automaton.add_word(phrase, works)
    automaton.make_automaton()
    return automaton


def _year(date: str) -> int:
    """The year of an ISO date, or -1 when it does not start with one."""
    return int(date[:4]) if date[:4].isdigit() else -1


def _is_subsequence(needle: list[str], haystack: list[str]) -> bool:
    it = iter(haystack)
    return all(t in it for t in needle)


def _bigrams(tokens: list[str]) -> set[str]:
    if tokens and len(tokens[0]) == 1:
        return {tokens[i] + tokens[i + 1] for i in range(len(tokens) - 1)}
    return set(tokens)


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (:mod:`gc`) while the linker runs, then restore it.

    The linker makes about 30 container objects a policy (its title substring index, memoised cores,
    works; 1.3 million at 40,000 policies) and frees them by reference counting (a few hundred
    objects in cycles a run, collected once it is back on).  Every full collection walks all of
    them again, and at 40,000 policies those walks took a quarter of the linker's CPU time and
    grew faster than the policies (measured: ``benchmarks/RESULTS.md``).  Nothing is raised."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def infer_links(quads: Iterable[ox.Quad], *, policies: Iterable[dict[str, Any]] | None = None,
                texts: Callable[[str], list[str]] | None = None, previous: dict[str, Any] | None = None,
                emit: bool = True, _exhaustive: bool = False) -> LinkResult:
    """Citations, named works and inferred implementation links from a conversion's quads.

    ``quads``: everything converted so far (policies, events, jurisdiction and agency nodes);
    only :data:`LINKER_PREDICATES` and the types of :data:`LINKER_CLASSES` are read, so
    :func:`linker_quads` of a store is enough.  An incremental caller (``ccus-kg build --store``)
    gives the policies as ``policies`` (:func:`policy_summaries` of each, kept between builds;
    then ``quads`` need not hold them), ``texts`` (policy IRI → its text literals, asked only
    for pairs the rules look at) and ``previous`` (the last result's ``state``): the citations
    are resolved again (cheap: titles only), the implementation rules only for works that
    changed.  The result is the same as a full run.  ``emit``: make ``quads`` (False when the
    caller writes from ``made`` / ``named`` / ``event_links``).  ``_exhaustive`` (private, for tests):
    look at every pair of works instead of the indexes' candidates (the same links, quadratic time).
    Returns a :class:`LinkResult`; its ``quads`` hold the named works, ``schema:about`` /
    ``schema:mentions`` of timeline items, and every link (:func:`emit_link`).  Raises nothing
    for bad data; an unresolved citation is an ``info`` problem.
    """
    with _cyclic_gc_paused():
        linker = _Linker(quads, texts)
        linker.collect_policies(policies)
        linker.timeline_items()
        linker.policy_citations()
        state = linker.infer_implementation(previous, exhaustive=_exhaustive)
        made = sorted(linker.links.values(), key=lambda k: (k.source, k.kind, k.target))
        named = dict(sorted(linker.named.items()))
        out = Emitter()
        if emit:
            for iri, (title, lang) in named.items():
                emit_named_work(out, iri, title, lang)
            for e, prop, target in linker.event_links:
                out.add(named_node(e), named_node(prop), named_node(target))
            for link in made:
                emit_link(out, link)
        existing = linker.existing_links() if policies is None else []
        return LinkResult(out.quads, linker.problems, sorted(made + existing, key=lambda k: (k.source, k.kind, k.target)),
                          {iri: title for iri, (title, _lang) in named.items()}, made, named, linker.event_links, state)
