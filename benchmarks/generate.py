"""Generate N realistic synthetic policy records from the real corpus's records as templates.

Each synthetic policy copies one corpus policy (its ``en`` and, when the corpus has one, its ``zh``
file: real field values, real bodies, real country and agency strings) under a new id, with:

* unique titles and URLs: the title ends in the copy's code (:func:`copy_code`, ``… No. KQZXB``,
  ``… 第KQZXB号``), outside parentheses (which the likely-duplicate rule drops), so normalised titles
  do not collide across copies.  The code is letters, not digits: the lineage linker strips 4-digit
  numbers as years, and a number is a subsequence of a longer one (``第17号`` in ``第173号``), so
  numbered copies were each "named after" every other copy of their template (quadratic, and
  unlike the corpus); fixed-width codes of consonants are no word and no code is a subsequence of
  another;
* publication years shifted by up to ±3 years (dates stay valid);
* **supersedes chains** at the corpus rate: a copy supersedes the previous copy of the same
  template with probability ``SUPERSEDES_RATE`` (the corpus: 8 of 129 policies, 6 %), and names a
  policy that is not in the input with probability ``DANGLING_RATE``;
* **clusters** at the corpus rate: a copy keeps its template's cluster names (51 of 129 corpus
  policies are in a cluster, 114 clusters), suffixed by the copy's block of ``CLUSTER_BLOCK``
  policies, so clusters hold a few members each at any N, as in the corpus.

Deterministic by seed: the same (corpus, N, seed) gives byte-identical files.  Generated data is
written to a folder you name (``en/`` and ``zh/``); never commit it.  Usage::

    python benchmarks/generate.py OUT_DIR --n 10000 [--seed 1] [--corpus ../shared/corpus/policy-hub-2026-03]
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUPERSEDES_RATE = 0.06
DANGLING_RATE = 0.005
CLUSTER_BLOCK = 1000
#: The letters of a copy's code (consonants: no English word) and its width: 20**6 = 64 million copies.
CODE_LETTERS = "BCDFGHJKLMNPQRSTVWXZ"
CODE_WIDTH = 6
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / ".." / "shared" / "corpus" / "policy-hub-2026-03"


@dataclass(frozen=True)
class Template:
    """One corpus policy: its id and, per language, (front matter, body)."""

    id: str
    files: dict[str, tuple[dict[str, Any], str]]


def _read(path: Path) -> tuple[dict[str, Any], str]:
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    closing = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    return json.loads("\n".join(lines[1:closing])), "\n".join(lines[closing + 1:])


def load_templates(corpus: Path) -> list[Template]:
    """The corpus policies (``en/*.md`` with their ``zh/`` twin when present), sorted by id."""
    templates = []
    for en in sorted((corpus / "en").glob("*.md")):
        files = {"en": _read(en)}
        zh = corpus / "zh" / en.name
        if zh.exists():
            files["zh"] = _read(zh)
        templates.append(Template(str(files["en"][0]["id"]), files))
    if not templates:
        raise SystemExit(f"no policy records under {corpus}/en")
    return templates


def _shift_year(value: Any, delta: int) -> Any:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        year = int(value[:4]) + delta
        day = value[8:] if value[5:] != "02-29" else "28"
        return f"{year:04d}-{value[5:7]}-{day}"
    if isinstance(value, int) and 1900 < value < 2100:
        return value + delta
    return value


def copy_code(i: int) -> str:
    """The code of copy ``i`` (0 ≤ i < ``len(CODE_LETTERS) ** CODE_WIDTH``): ``CODE_WIDTH`` letters of
    :data:`CODE_LETTERS`, one code per ``i`` (a bijective scramble, so neighbours do not look alike)."""
    size = len(CODE_LETTERS) ** CODE_WIDTH
    if not 0 <= i < size:
        raise ValueError(f"copy {i} is outside 0..{size - 1}")
    n = (i * 7_919_423 + 3_141_593) % size  # multiplier coprime to 2 and 5: a permutation of 0..size-1
    letters = []
    for _ in range(CODE_WIDTH):
        n, r = divmod(n, len(CODE_LETTERS))
        letters.append(CODE_LETTERS[r])
    return "".join(letters)


def generate(out: Path, n: int, *, seed: int = 1, corpus: Path = DEFAULT_CORPUS) -> int:
    """Write ``n`` synthetic policies under ``out/en`` and ``out/zh``; returns the number of files."""
    rng = random.Random(seed)
    templates = load_templates(corpus)
    last_copy: dict[str, str] = {}  # template id → id of its latest copy
    for lang in ("en", "zh"):
        (out / lang).mkdir(parents=True, exist_ok=True)
    written = 0
    for i in range(n):
        t = templates[rng.randrange(len(templates))]
        new_id = f"{t.id}-g{i:06d}"
        delta = rng.randint(-3, 3)
        supersedes: list[str] = []
        if t.id in last_copy and rng.random() < SUPERSEDES_RATE:
            supersedes.append(last_copy[t.id])
        if rng.random() < DANGLING_RATE:
            supersedes.append(f"withdrawn-{rng.randrange(10 ** 6):06d}")
        last_copy[t.id] = new_id
        for lang, (data, body) in t.files.items():
            d = copy.deepcopy(data)
            d["id"] = new_id
            if isinstance(d.get("title"), str):
                # a code outside parentheses: the likely-duplicate rule ignores parenthesised parts
                code = copy_code(i)
                d["title"] = f"{d['title']} No. {code}" if lang == "en" else f"{d['title']} 第{code}号"
            if isinstance(d.get("url"), str) and d["url"].startswith("http"):
                d["url"] = f"{d['url']}{'&' if '?' in d['url'] else '?'}copy={i}"
            d["pubDate"] = _shift_year(d.get("pubDate"), delta)
            d["year"] = _shift_year(d.get("year"), delta)
            evo = d.get("evolution") if isinstance(d.get("evolution"), dict) else None
            if evo is not None:
                evo["supersedes"] = list(supersedes)
                evo["supersededBy"] = ""
                evo["clusters"] = [f"{c} · {i // CLUSTER_BLOCK}" for c in evo.get("clusters") or [] if isinstance(c, str)]
            text = "---\n" + json.dumps(d, ensure_ascii=False, indent=2, sort_keys=True) + "\n---\n" + body
            (out / lang / f"{new_id}.md").write_text(text, encoding="utf-8")
            written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    files = generate(args.out, args.n, seed=args.seed, corpus=args.corpus)
    print(f"wrote {files} files ({args.n} policies) under {args.out}")


if __name__ == "__main__":
    main()
