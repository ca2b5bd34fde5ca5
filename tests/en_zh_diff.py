"""Diff the en/ and zh/ files of each policy id of a corpus folder: the independent check of the
build's conflict list (``tests/test_agreement.py``).  Written apart from ccus_kg.ingest.agreement on
purpose: plain ``json`` on the files, its own flattening and script test.

Rules (docs/MODEL.md, "en and zh files"): a field both files give non-blank disagrees when
* it is language-neutral (ids, dates, URLs, scores, replacement links, facility ids, author) and the
  values differ (lists as sets);
* it is a resolved field (country, status, category, legal weight, review status) and the values
  resolve to different nodes (both resolved);
* it is the cluster list, the lists have the same length and differ at some position;
* it is the milestone list and the multisets of dates differ;
* otherwise (text), both values are written in the same script and differ after collapsing spaces.

Usage: ``python tests/en_zh_diff.py ../shared/corpus/policy-hub-2026-03`` prints ``id<TAB>field``.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

NEUTRAL = re.compile(r"^(id|pubDate|year|url|provenance\.lastAuditDate|provenance\.author|analysis\.[^.]+\.score|"
                     r"evolution\.(supersedes|supersededBy|consolidatedFrom|currentConsolidatedVersion|sourcePublicationDate)|"
                     r"relatedFacilities)$")
RESOLVED = {"country": "jurisdiction", "status": "status", "category": "category", "legalWeight": "legal-weight",
            "reviewStatus": "review-status"}


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    return json.loads(text.split("\n---", 1)[0].removeprefix("---\n"))


def flatten(value, prefix="", out=None) -> dict:
    out = {} if out is None else out
    if isinstance(value, dict) and value:
        for k, v in value.items():
            flatten(v, f"{prefix}.{k}" if prefix else k, out)
    elif isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        for i, v in enumerate(value):
            flatten(v, f"{prefix}[{i}]", out)
    else:
        out[prefix] = value
    return out


def blank(v) -> bool:
    return v is None or v == "" or v == [] or v == {} or (isinstance(v, str) and not v.strip())


def script(text: str) -> str:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "none"
    cjk = sum(1 for c in letters if "CJK" in unicodedata.name(c, ""))
    return "han" if cjk / len(letters) >= 0.2 else "other"


def as_text(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return " | ".join(as_text(x) for x in v)
    return re.sub(r"\s+", " ", str(v)).strip()


def diff(en: dict, zh: dict, resolve) -> set[str]:
    a, b = flatten(en), flatten(zh)
    fields = set()
    for path in sorted(set(a) & set(b)):
        va, vb = a[path], b[path]
        if blank(va) or blank(vb) or path.startswith(("evolution.milestones", "milestones")) or path == "evolution.clusters" \
                or path == "source":
            continue
        if path in RESOLVED:
            ka, kb = resolve(RESOLVED[path], as_text(va)), resolve(RESOLVED[path], as_text(vb))
            if ka and kb and ka != kb:
                fields.add(path)
        elif NEUTRAL.match(path):
            norm = (lambda v: sorted({str(x).strip() for x in v if not blank(x)}) if isinstance(v, list) else as_text(v))
            if norm(va) != norm(vb):
                fields.add(path)
        elif script(as_text(va)) == script(as_text(vb)) and as_text(va) != as_text(vb):
            fields.add(path)
    ca, cb = (en.get("evolution") or {}).get("clusters") or [], (zh.get("evolution") or {}).get("clusters") or []
    if len(ca) == len(cb) and ca != cb:
        fields.add("evolution.clusters")
    ma, mb = ((x.get("evolution") or {}).get("milestones") or x.get("milestones") for x in (en, zh))
    if ma and mb and sorted(str(m.get("date")) for m in ma) != sorted(str(m.get("date")) for m in mb):
        fields.add("evolution.milestones")
    return fields


def corpus_diff(folder: Path, resolve) -> set[tuple[str, str]]:
    """``(id, field)`` for every disagreement between ``folder/en/X.md`` and ``folder/zh/X.md`` (same id)."""
    found = set()
    for en_path in sorted((folder / "en").glob("*.md")):
        zh_path = folder / "zh" / en_path.name
        if not zh_path.exists():
            continue
        en, zh = front_matter(en_path), front_matter(zh_path)
        assert en["id"] == zh["id"], en_path
        found |= {(en["id"], f) for f in diff(en, zh, resolve)}
    return found


def library_resolver():
    """Resolve country and controlled values with ccus-kg's authority files (the only library use)."""
    from ccus_kg.rdf.identity_context import IdentityContext

    ctx = IdentityContext.default()

    def resolve(scheme: str, raw: str) -> str | None:
        if scheme == "jurisdiction":
            j = ctx.jurisdictions.from_name(raw)
            return j.code if j else None
        match = ctx.vocabularies.lookup(scheme, raw)
        return match.iri if match else None

    return resolve


if __name__ == "__main__":
    for pid, field in sorted(corpus_diff(Path(sys.argv[1]), library_resolver())):
        print(f"{pid}\t{field}")
