"""A full schema kept beside a migration folder: what a fresh install loads.

Projects that ship their history in a folder often keep, in the folder holding it (or
the one above), the schema a new install loads instead of replaying the history
(MediaWiki's `postgres/tables-generated.sql` beside `archives/`, Icinga's `pgsql.sql`
beside `upgrade/`, procrastinate's `schema.sql` beside `migrations/`). Such a file is
not a step of the history: it CREATEs the tables that the history's migrations ALTER
or DROP. An unversioned plain file there that does, is marked a fresh install, with
that evidence as its reason; so is an unversioned plain file beside it that works only
on tables the schema creates (what the installer runs after it: MediaWiki's
`tables.sql`, which adds search columns to `page` and `text`).

A keyword scan finds the tables (comments, string literals and dollar-quoted bodies
blanked first), so big schema files are not parsed here.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from migralint.sources.files import read_head
from migralint.sources.layout import MigrationFile

_READ_BYTES = 4 * 1024 * 1024  # the default --max-file-size: larger files are not linted
_NAMED = 3  # tables named in a reason before the rest are counted
_IGNORED = re.compile(
    r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|\$(?P<tag>[A-Za-z_]\w*)?\$.*?\$(?P=tag)?\$", re.DOTALL
)
_NAME = r'(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)'
_TABLE = rf"(?P<name>{_NAME}(?:\s*\.\s*{_NAME})?)"
_CREATED = re.compile(
    rf"\bCREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?{_TABLE}",
    re.IGNORECASE,
)
_CHANGED = re.compile(
    rf"\b(?:ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?|DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?){_TABLE}",
    re.IGNORECASE,
)
_USED = re.compile(
    rf"\b(?:ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?|INSERT\s+INTO\s+|UPDATE\s+(?:ONLY\s+)?"
    rf"|DELETE\s+FROM\s+(?:ONLY\s+)?|\bON\s+(?:ONLY\s+)?|TRUNCATE\s+(?:TABLE\s+)?)"
    rf"(?!(?:ON|SET|OF|ONLY|CASCADE)\b){_TABLE}",
    re.IGNORECASE,
)


def mark(files: Sequence[MigrationFile]) -> list[MigrationFile]:
    """`files` with the full schemas beside a migration folder, and the files that
    complete them, marked fresh installs."""
    sets: dict[Path, list[MigrationFile]] = defaultdict(list)
    for file in files:
        sets[file.set_root].append(file)
    marked: dict[Path, MigrationFile] = {}
    scans: dict[Path, _Scan] = {}
    for folder, members in sets.items():
        histories = [root for root in sets if root != folder and folder in root.parents[:2]]
        candidates = [f for f in members if _candidate(f)]
        if not histories or not candidates:
            continue
        changed = {root: _changed(sets[root], scans) for root in histories}
        schemas: dict[Path, set[str]] = {}
        for file in candidates:
            created = _scan(file.path, scans).created
            for root, tables in changed.items():
                if evidence := sorted(created & tables):
                    schemas[file.path] = created
                    marked[file.path] = replace(
                        file, fresh_install=True, fresh_reason=_schema_reason(evidence, root)
                    )
                    break
        for file in candidates:
            if file.path not in marked and (schema := _completes(file, schemas, scans)):
                reason = (
                    f"works only on tables that {schema.name}, the full schema beside it, creates"
                )
                marked[file.path] = replace(file, fresh_install=True, fresh_reason=reason)
    return [marked.get(f.path, f) for f in files]


class _Scan:
    """The tables a file creates, and those it names otherwise."""

    def __init__(self, text: str) -> None:
        code = _IGNORED.sub(" ", text)
        self.created = {_key(m["name"]) for m in _CREATED.finditer(code)}
        self.changed = {_key(m["name"]) for m in _CHANGED.finditer(code)}
        self.used = {_key(m["name"]) for m in _USED.finditer(code)}


def _candidate(file: MigrationFile) -> bool:
    """An unversioned plain up file not yet known as a fresh install: not a step of a
    numbered history."""
    return (
        file.tool == "plain"
        and file.direction == "up"
        and not file.version
        and not file.fresh_install
        and not file.not_run
    )


def _scan(path: Path, scans: dict[Path, _Scan]) -> _Scan:
    if path not in scans:
        scans[path] = _Scan(read_head(os.fspath(path), _READ_BYTES).decode("utf-8", "replace"))
    return scans[path]


def _changed(history: Iterable[MigrationFile], scans: dict[Path, _Scan]) -> set[str]:
    """The tables the up migrations of a history alter or drop."""
    found: set[str] = set()
    for file in history:
        if file.direction == "up" and not file.fresh_install:
            found |= _scan(file.path, scans).changed
    return found


def _completes(
    file: MigrationFile, schemas: dict[Path, set[str]], scans: dict[Path, _Scan]
) -> Path | None:
    """The schema beside `file` that creates every table `file` names (it creates none)."""
    scan = _scan(file.path, scans)
    if scan.created or not scan.used:
        return None
    return next(
        (
            path
            for path, created in schemas.items()
            if path.parent == file.path.parent and scan.used <= created
        ),
        None,
    )


def _schema_reason(tables: Sequence[str], history: Path) -> str:
    named = ", ".join(tables[:_NAMED])
    more = f" and {len(tables) - _NAMED} more" if len(tables) > _NAMED else ""
    folder = f"{history.name}/"
    return (
        f"a full schema beside {folder}: it creates {named}{more}, which {folder} alters or drops"
    )


def _key(name: str) -> str:
    """A table's name as PostgreSQL folds it, without its schema."""
    last = re.split(r'\s*\.\s*(?=(?:"|[A-Za-z_]))', name)[-1]
    return last[1:-1].replace('""', '"') if last.startswith('"') else last.lower()
