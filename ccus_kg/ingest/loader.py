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

import errno
import os
import re
import stat
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from frontmatter.default_handlers import BaseHandler

from ccus_kg.errors import InputError
from ccus_kg.ingest.frontmatter import parse_front_matter
from ccus_kg.ingest.language import detect
from ccus_kg.ingest.timeline_model import TimelineDocument
from ccus_kg.ingest.timeline_parser import looks_like_timeline, parse_timeline
from ccus_kg.mapping import record_kind
from ccus_kg.model import PolicyRecord, Problem
from ccus_kg.progress import Progress

__all__ = ["LoadResult", "load_paths", "load_files", "iter_files", "shown_path", "read_policy_text", "FrontMatterHandler", "MAX_FILE_BYTES"]

#: Files larger than this (bytes) are reported and not read.
MAX_FILE_BYTES = 20 * 1024 * 1024
_LANG_FOLDERS = {"en": "en", "zh": "zh", "zh-cn": "zh", "zh-hans": "zh"}


class FrontMatterHandler(BaseHandler):
    """python-frontmatter handler for ``---`` fenced front matter holding JSON *or* YAML.

    The policy records of the CCUS Policy Hub write a JSON object between ``---`` lines; other
    tools write YAML there.  ``load`` returns the mapping with every scalar kept as text
    (:func:`ccus_kg.ingest.frontmatter.parse_front_matter`); it raises
    :class:`~ccus_kg.errors.InputError` on malformed text.
    """

    FM_BOUNDARY = re.compile(r"^-{3,}[ \t]*\r?$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "---"

    def load(self, fm: str) -> Any:
        return parse_front_matter(fm).data


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


def _not_a_file(path: Path) -> str | None:
    """Why ``path`` is not a regular file to read (a dangling symlink, a FIFO, …), or None when it is one."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop (the link resolves to itself); skipped"
        if path.is_symlink():
            return f"dangling symlink (its target {os.readlink(path)!r} does not exist); skipped"
        return f"cannot read: {exc.strerror or exc}; skipped"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "symlink to a folder; not followed (folders are walked without following links); skipped"
    kind = "a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    return f"{kind}, not a regular file; skipped"


def iter_files(paths: Iterable[Path], problems: list[Problem]) -> list[tuple[Path, str, str | None]]:
    """``(file, key, reason)`` for every entry; ``key`` is the file's path relative to its input
    root's parent (made longer where two would be equal); ``reason`` says why it is not read, or None."""
    found: list[tuple[Path, str, str | None]] = []
    for root in paths:
        root = Path(root)
        if root.is_dir():  # a folder named by the user is walked even when it is a symlink
            name = root.resolve().name  # once per root, not per file
            for path in sorted(root.rglob("*")):
                rel = path.relative_to(root)
                if any(part.startswith(".") for part in rel.parts) or (path.is_dir() and not path.is_symlink()):
                    continue
                found.append((path, f"{name}/{rel.as_posix()}", _not_a_file(path)))
        elif root.exists() or root.is_symlink():
            found.append((root, root.name, _not_a_file(root)))
        else:
            problems.append(Problem("error", "not-found", "no such file or folder", file=str(root)))
    return _distinct_keys(found)


def _distinct_keys(found: list[tuple[Path, str, str | None]]) -> list[tuple[Path, str, str | None]]:
    """Make equal keys distinct (``a/p.md`` and ``b/p.md`` given as files are two sources): a key
    shared by different files is replaced by enough trailing parts of each file's absolute path."""
    counts = Counter(key for _p, key, _r in found)
    if all(n == 1 for n in counts.values()):
        return found
    out = []
    for path, key, reason in found:
        if counts[key] > 1:
            parts = path.absolute().parts
            others = [q.absolute().parts for q, k, _r in found if k == key and q != path]
            n = 2
            while n < len(parts) and any(o[-n:] == parts[-n:] for o in others):
                n += 1
            key = "/".join(parts[-n:]).lstrip("/")
        out.append((path, key, reason))
    return out


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


def read_policy_text(text: str, path: str, *, key: str = "", folder_lang: str | None = None,
                     line_offset: int = 0) -> PolicyRecord:
    """Parse the text of one policy file into a :class:`PolicyRecord`.

    ``text`` must start with a ``---`` line; ``line_offset`` is the number of file lines before
    it.  Returns the record (front-matter scalars kept as text, field lines in ``lines``, odd
    things in ``problems``); raises :class:`ccus_kg.errors.InputError` (with the 1-based line)
    when the front matter is not closed, is not valid JSON/YAML, is not a mapping, or has no ``id``.
    """
    lines = text.split("\n")
    closing = next((i for i in range(1, len(lines)) if _HANDLER.FM_BOUNDARY.fullmatch(lines[i])), None)
    if closing is None:
        raise InputError("front matter opened with '---' on line 1 is never closed by a '---' line", path=path, line=1 + line_offset)
    fm_text = "\n".join(lines[1:closing])
    body = "\n".join(lines[closing + 1:]).strip()
    fm = parse_front_matter(fm_text, path=path, line_offset=1 + line_offset)
    data = fm.data
    record_id = data.get("id")
    if not isinstance(record_id, str) or not record_id.strip():
        found = "" if record_id is None else f", found {'a list' if isinstance(record_id, list) else 'a mapping' if isinstance(record_id, dict) else 'blank text'}"
        raise InputError(f"record has no 'id' (expected a non-empty string{found})", path=path,
                         line=fm.lines.get("id", 2 + line_offset), field="id")
    kind = record_kind(data)
    if folder_lang:
        lang, evidence = folder_lang, "folder"
    elif kind != "policy" and data.get("lang") in ("en", "zh"):
        lang, evidence = data["lang"], "field"
    else:
        lang, evidence = detect(f"{data.get('title') or ''} {body[:2000]}"), "text"
    return PolicyRecord(
        path=path, lang=lang, data=data, body=body, front_matter_format=fm.format,
        lang_evidence=evidence, body_line=closing + 2 + line_offset, source_key=key or Path(path).name,
        problems=[_located(p, path, record_id) for p in fm.problems], lines=fm.lines, fm_line=1 + line_offset,
        kind=kind,
    )


def _located(problem: Problem, path: str, subject: str) -> Problem:
    return Problem(problem.severity, problem.code, problem.message, file=path, line=problem.line,
                   field=problem.field, subject=subject.strip())


def shown_path(path: Path) -> str:
    """``path`` as reported: relative to the working folder when it is under it."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_paths(paths: Iterable[str | Path], *, progress: Progress | None = None) -> LoadResult:
    """Read every file under ``paths`` (files, or folders walked recursively, hidden entries skipped).

    Returns a :class:`LoadResult`; never raises for bad input: each unreadable or unparsable
    file is a ``Problem`` (severity ``error``) with its path and line, and the rest are read.
    ``progress`` gets the number of files, then one ``advance`` per file.
    """
    problems: list[Problem] = []
    files = iter_files([Path(p) for p in paths], problems)
    result = load_files(files, progress=progress)
    result.problems[:0] = problems
    return result


def load_files(files: list[tuple[Path, str, str | None]], *, progress: Progress | None = None) -> LoadResult:
    """Read the given ``(file, key, reason)`` entries (from :func:`iter_files`) like :func:`load_paths`."""
    result = LoadResult()
    if progress is not None:
        progress.set_total(len(files))
    for path, key, reason in files:
        if progress is not None:
            progress.advance()
        shown = shown_path(path)
        if reason is not None:
            result.problems.append(Problem("warning", "not-a-file", reason, file=shown))
            result.files_skipped += 1
            continue
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise ValueError(f"file is {size} bytes, more than the limit of {MAX_FILE_BYTES} bytes")
            text = _decode(path, path.read_bytes())
        except (OSError, ValueError) as exc:
            line = re.search(r"\(line (\d+)\)$", str(exc))
            result.problems.append(Problem("error", "unreadable", str(exc), file=shown, line=int(line.group(1)) if line else None))
            result.files_skipped += 1
            continue
        stripped = text.lstrip("\ufeff \t\n")
        if stripped.startswith("---"):
            offset = text[: len(text) - len(stripped)].count("\n")
            try:
                record = read_policy_text(stripped, shown, key=key, folder_lang=_language_from_folder(path), line_offset=offset)
            except InputError as exc:
                result.problems.append(Problem("error", "parse-error", exc.message, file=shown, line=exc.line, field=exc.field))
                result.files_skipped += 1
                continue
            except Exception as exc:  # a bug must not cost the other files
                result.problems.append(Problem("error", "internal-error", f"internal error while reading this file "
                                               f"({type(exc).__name__}: {exc}); skipped", file=shown, line=1))
                result.files_skipped += 1
                continue
            {"facility": result.facilities, "country-profile": result.profiles}.get(record.kind, result.records).append(record)
            result.problems.extend(record.problems)
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
