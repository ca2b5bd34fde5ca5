"""Read input files and folders: policy, facility and country-profile records, and timeline compilations.

I/O lives here; everything after it is pure.  The kind of a file is told by its content,
not its name:

* **front-matter record** — Markdown whose first line is ``---`` followed by front matter (a JSON
  object or a YAML mapping) closed by another ``---`` line, then the body text; a **facility** or
  a **country profile** when the ``detect`` rule of its mapping (``ontology/mapping/*.yaml``,
  :func:`ccus_kg.mapping.record_kind`) claims its keys, else a **policy record**;
* **timeline compilation** — Markdown with ``## 节点: YYYY-MM-DD`` node headings
  (:func:`ccus_kg.ingest.timeline_parser.looks_like_timeline`);
* anything else is reported (``unknown-kind``) and skipped.

A file that cannot be read or parsed becomes a :class:`~ccus_kg.model.Problem` naming the file,
line and field; the other files are still read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from frontmatter.default_handlers import BaseHandler

from ccus_kg.ingest.language import detect
from ccus_kg.ingest.timeline_model import TimelineDocument
from ccus_kg.ingest.timeline_parser import looks_like_timeline, parse_timeline
from ccus_kg.mapping import record_kind
from ccus_kg.model import PolicyRecord, Problem

__all__ = ["LoadResult", "load_paths", "read_policy_text", "FrontMatterHandler", "MAX_FILE_BYTES"]

#: Files larger than this (bytes) are reported and not read.
MAX_FILE_BYTES = 20 * 1024 * 1024
_LANG_FOLDERS = {"en": "en", "zh": "zh", "zh-cn": "zh", "zh-hans": "zh"}


class FrontMatterHandler(BaseHandler):
    """python-frontmatter handler for ``---`` fenced front matter holding JSON *or* YAML.

    The policy records of the CCUS Policy Hub write a JSON object between ``---`` lines; other
    tools write YAML there.  ``load`` parses a text starting with ``{`` as JSON (RFC 8259), anything
    else as YAML 1.1 with ``yaml.safe_load``; it raises ``json.JSONDecodeError`` or
    ``yaml.YAMLError`` on malformed text.
    """

    FM_BOUNDARY = re.compile(r"^-{3,}[ \t]*\r?$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "---"

    def load(self, fm: str) -> Any:
        return json.loads(fm) if fm.lstrip().startswith("{") else yaml.safe_load(fm)


_HANDLER = FrontMatterHandler()


@dataclass
class LoadResult:
    """What :func:`load_paths` read: policy records, facility records, country profiles, parsed
    timelines, problems, and file counts."""

    records: list[PolicyRecord] = field(default_factory=list)
    facilities: list[PolicyRecord] = field(default_factory=list)
    profiles: list[PolicyRecord] = field(default_factory=list)
    timelines: list[TimelineDocument] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files_read: int = 0
    files_skipped: int = 0
    #: file path as shown in problems → stable key (path relative to its input root's parent)
    source_keys: dict[str, str] = field(default_factory=dict)


def _iter_files(paths: Iterable[Path], problems: list[Problem]) -> Iterator[tuple[Path, str]]:
    """Yield ``(file, key)`` pairs; ``key`` is the file's path relative to its input root's parent."""
    for root in paths:
        root = Path(root)
        if root.is_file():
            yield root, root.name
        elif root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                rel = path.relative_to(root)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                yield path, f"{root.resolve().name}/{rel.as_posix()}"
        else:
            problems.append(Problem("error", "not-found", "no such file or folder", file=str(root)))


def _decode(path: Path, raw: bytes) -> str:
    if b"\x00" in raw[:8192]:
        raise ValueError("binary file (NUL bytes), expected UTF-8 Markdown text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ValueError(f"not UTF-8 at byte {exc.start} (line {line})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _language_from_folder(path: Path) -> str | None:
    return _LANG_FOLDERS.get(path.parent.name.casefold())


def read_policy_text(text: str, path: str, *, key: str = "", folder_lang: str | None = None) -> PolicyRecord:
    """Parse the text of one policy file into a :class:`PolicyRecord`.

    ``text`` must start with a ``---`` line.  Returns the record; raises
    :class:`ccus_kg.errors.InputError` (with the 1-based line) when the front matter is not
    closed, is not valid JSON/YAML, is not a mapping, or has no ``id``.
    """
    from ccus_kg.errors import InputError

    lines = text.split("\n")
    closing = next((i for i in range(1, len(lines)) if _HANDLER.FM_BOUNDARY.fullmatch(lines[i])), None)
    if closing is None:
        raise InputError("front matter opened with '---' on line 1 is never closed by a '---' line", path=path, line=1)
    fm_text = "\n".join(lines[1:closing])
    body = "\n".join(lines[closing + 1:]).strip()
    fmt: Literal["json", "yaml"] = "json" if fm_text.lstrip().startswith("{") else "yaml"
    try:
        data = _HANDLER.load(fm_text)
    except json.JSONDecodeError as exc:
        raise InputError(f"front matter is not valid JSON: {exc.msg} (column {exc.colno})", path=path, line=exc.lineno + 1) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"front matter is not valid YAML: {reason}", path=path, line=line) from None
    if not isinstance(data, dict):
        raise InputError(f"front matter must be a mapping of fields, found {type(data).__name__}", path=path, line=2)
    record_id = data.get("id")
    if not isinstance(record_id, (str, int)) or not str(record_id).strip():
        raise InputError("record has no 'id' (expected a non-empty string)", path=path, line=2, field="id")
    kind = record_kind(data)
    if folder_lang:
        lang, evidence = folder_lang, "folder"
    elif kind != "policy" and data.get("lang") in ("en", "zh"):
        lang, evidence = data["lang"], "field"
    else:
        lang, evidence = detect(f"{data.get('title') or ''} {body[:2000]}"), "text"
    return PolicyRecord(
        path=path, lang=lang, data=data, body=body, front_matter_format=fmt,
        lang_evidence=evidence, body_line=closing + 2, source_key=key or Path(path).name, kind=kind,
    )


def _shown(path: Path) -> str:
    """``path`` as reported: relative to the working folder when it is under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_paths(paths: Iterable[str | Path]) -> LoadResult:
    """Read every file under ``paths`` (files, or folders walked recursively, hidden entries skipped).

    Returns a :class:`LoadResult`; never raises for bad input: each unreadable or unparsable
    file is a ``Problem`` (severity ``error``) with its path and line, and the rest are read.
    """
    result = LoadResult()
    for path, key in _iter_files([Path(p) for p in paths], result.problems):
        shown = _shown(path)
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise ValueError(f"file is {size} bytes, more than the limit of {MAX_FILE_BYTES} bytes")
            text = _decode(path, path.read_bytes())
        except (OSError, ValueError) as exc:
            result.problems.append(Problem("error", "unreadable", str(exc), file=shown))
            result.files_skipped += 1
            continue
        stripped = text.lstrip("\ufeff \t\n")
        if stripped.startswith("---"):
            offset = text[: len(text) - len(stripped)].count("\n")
            try:
                record = read_policy_text(stripped, shown, key=key, folder_lang=_language_from_folder(path))
            except Exception as exc:  # InputError carries the location; anything else is reported too
                from ccus_kg.errors import InputError

                if isinstance(exc, InputError):
                    line = exc.line + offset if exc.line else None
                    result.problems.append(Problem("error", "parse-error", exc.message, file=shown, line=line, field=exc.field))
                else:
                    result.problems.append(Problem("error", "parse-error", f"{type(exc).__name__}: {exc}", file=shown))
                result.files_skipped += 1
                continue
            {"facility": result.facilities, "country-profile": result.profiles}.get(record.kind, result.records).append(record)
        elif looks_like_timeline(text):
            result.timelines.append(parse_timeline(text, shown))
        else:
            result.problems.append(Problem(
                "warning", "unknown-kind",
                "neither a policy record (front matter between '---' lines) nor a timeline compilation ('## 节点: YYYY-MM-DD' headings); skipped",
                file=shown, line=1))
            result.files_skipped += 1
            continue
        result.source_keys[shown] = key
        result.files_read += 1
    return result
