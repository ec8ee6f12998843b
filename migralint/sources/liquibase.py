"""Liquibase, read statically: formatted SQL changelogs and the master changelog's list.

A formatted SQL changelog starts with `--liquibase formatted sql`; each `--changeset
author:id` runs as a unit, in a transaction unless it says `runInTransaction:false`,
and its `--rollback <sql>` lines are its down. A master changelog (XML, YAML or JSON)
names the SQL that runs and in which order: `include` (a file), `includeAll` (a
folder's files, by name) and a changeSet's `sqlFile` (inside `<rollback>`: its down).
Nothing is executed; XML with a document type declaration is refused, not expanded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

FORMATTED = re.compile(r"\A(?:\ufeff)?\s*--\s*liquibase\s+formatted\s+sql\b", re.IGNORECASE)
_CHANGESET = re.compile(r"^--\s*changeset\s+\S+?:\S+(?P<options>.*)$", re.IGNORECASE | re.MULTILINE)
_ROLLBACK = re.compile(r"^(?P<marker>--\s*rollback\b ?)(?P<sql>.*)$", re.IGNORECASE | re.MULTILINE)
_NO_TRANSACTION = re.compile(r"\brunInTransaction:false\b", re.IGNORECASE)
_NOTHING_TO_UNDO = re.compile(r"^\s*(?:not\s+required|empty)?\s*$", re.IGNORECASE)

CHANGELOG_SUFFIXES = (".xml", ".yaml", ".yml", ".json")
_INCLUDED = (".sql", *CHANGELOG_SUFFIXES)  # what includeAll takes from a folder


def is_changelog_name(name: str) -> bool:
    """Whether a file's name is a master changelog's (`db.changelog-master.yaml`,
    `changelog.xml`, JHipster's `master.xml`)."""
    lower = name.lower()
    return lower.endswith(CHANGELOG_SUFFIXES) and ("changelog" in lower or lower == "master.xml")


@dataclass(frozen=True, slots=True)
class Changeset:
    """One changeset of a formatted SQL changelog: where it starts and ends (offsets),
    whether it runs in a transaction, and its rollback SQL (the file's text with all but
    the `--rollback` payloads blanked; "" when it has none)."""

    start: int
    end: int
    in_transaction: bool
    rollback: str


def changesets(text: str) -> list[Changeset]:
    """The changesets of a formatted SQL changelog, in order."""
    found = list(_CHANGESET.finditer(text))
    parts = []
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        no_transaction = _NO_TRANSACTION.search(m["options"]) is not None
        parts.append(Changeset(m.start(), end, not no_transaction, _rollback(text, m.end(), end)))
    return parts


def _rollback(text: str, start: int, end: int) -> str:
    """The `--rollback` payloads between the offsets, at their own lines and columns."""
    kept = [
        (m.start("sql"), m["sql"])
        for m in _ROLLBACK.finditer(text, start, end)
        if not _NOTHING_TO_UNDO.match(m["sql"])
    ]
    if not kept:
        return ""
    out = list(re.sub(r"[^\n]", " ", text[:end]))
    for offset, sql in kept:
        out[offset : offset + len(sql)] = sql
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Entry:
    """A SQL file a changelog runs: as an up or a down, in a transaction or not, and
    the changelog line that names it."""

    path: Path
    direction: str  # up | down
    in_transaction: bool
    changelog: Path
    line: int


class ChangelogError(Exception):
    """A changelog that cannot be read: `path`, `line` and what is wrong."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(message)
        self.path, self.line, self.message = path, line, message


@dataclass(frozen=True, slots=True)
class _Reference:
    kind: str  # include | includeAll | sqlFile
    target: str
    relative: bool  # relativeToChangelogFile
    direction: str
    in_transaction: bool
    line: int


Reader = Callable[[Path], str | None]


@dataclass(frozen=True, slots=True)
class Followed:
    """What a master changelog runs (its SQL files, in order) and the changelogs it
    reads on the way (itself included)."""

    entries: tuple[Entry, ...]
    changelogs: frozenset[Path]


def follow(master: Path, read: Reader, list_folder: Callable[[Path], list[Path]]) -> Followed:
    """The SQL files the master changelog runs, in order, included changelogs followed
    (nothing for a file that is no Liquibase changelog); raises ChangelogError at the
    first reference that cannot be read or found."""
    text = read(master)
    if text is None or "databaseChangeLog" not in text:
        return Followed((), frozenset())
    found: list[Entry] = []
    seen: set[Path] = set()
    _follow(master, read, list_folder, found, seen)
    return Followed(tuple(found), frozenset(seen))


def _follow(
    changelog: Path,
    read: Reader,
    list_folder: Callable[[Path], list[Path]],
    found: list[Entry],
    seen: set[Path],
) -> None:
    if changelog in seen:  # included twice, or by itself: Liquibase runs it once
        return
    seen.add(changelog)
    text = read(changelog)
    if text is None:
        raise ChangelogError(changelog, 1, "it cannot be read")
    for ref in _references(changelog, text):
        target = _resolve(changelog, ref)
        if target is None:
            raise ChangelogError(changelog, ref.line, f"{ref.kind} {ref.target!r} is not found")
        if ref.kind == "includeAll":
            files = [p for p in list_folder(target) if p.suffix.lower() in _INCLUDED]
        else:
            files = [target]
        for file in files:
            if file.suffix.lower() == ".sql":
                found.append(Entry(file, ref.direction, ref.in_transaction, changelog, ref.line))
            elif ref.kind != "sqlFile":
                _follow(file, read, list_folder, found, seen)


def _resolve(changelog: Path, ref: _Reference) -> Path | None:
    """The file or folder a reference names: beside the changelog, or (not
    relativeToChangelogFile) under one of the folders above it, the search path."""
    target = ref.target.removeprefix("classpath:").lstrip("/")
    bases = [changelog.parent] if ref.relative else [changelog.parent, *changelog.parents[1:]]
    for base in bases:
        candidate = base / target
        if candidate.is_dir() if ref.kind == "includeAll" else candidate.is_file():
            return candidate
    return None


def _references(changelog: Path, text: str) -> list[_Reference]:
    """What a changelog includes, by its format."""
    suffix = changelog.suffix.lower()
    if suffix == ".xml":
        return _xml_references(changelog, text)
    if suffix == ".json":
        return _json_references(changelog, text)
    if suffix in (".yaml", ".yml"):
        return _yaml_references(text)
    raise ChangelogError(changelog, 1, "not a changelog migralint reads (XML, YAML, JSON)")


_KINDS = ("include", "includeAll", "sqlFile")


def _truthy(value: object, default: bool) -> bool:
    if value is None:
        return default
    return str(value).strip().lower() == "true"


def _xml_references(changelog: Path, text: str) -> list[_Reference]:
    """Read with expat, line by line: a changeSet's runInTransaction and a `<rollback>`
    around a sqlFile count for it."""
    refs: list[_Reference] = []
    stack: list[tuple[str, dict[str, str]]] = []
    parser = expat.ParserCreate()

    def refuse(*_: object) -> None:
        raise ChangelogError(changelog, parser.CurrentLineNumber, "a document type declaration")

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        stack.append((local, attrs))
        if local not in _KINDS:
            return
        changeset = next((a for n, a in reversed(stack) if n == "changeSet"), {})
        refs.append(
            _Reference(
                kind=local,
                target=attrs.get("file") or attrs.get("path") or "",
                relative=_truthy(attrs.get("relativeToChangelogFile"), False),
                direction="down" if any(n == "rollback" for n, _ in stack) else "up",
                in_transaction=_truthy(changeset.get("runInTransaction"), True),
                line=parser.CurrentLineNumber,
            )
        )

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = lambda name: stack.pop()
    try:
        parser.Parse(text, True)
    except expat.ExpatError as error:
        raise ChangelogError(changelog, error.lineno, f"not well-formed XML ({error})") from None
    return refs


def _json_references(changelog: Path, text: str) -> list[_Reference]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ChangelogError(changelog, error.lineno, f"not valid JSON ({error.msg})") from None
    refs: list[_Reference] = []
    _walk_mapping(data, refs, text, "up", True)
    return refs


def _walk_mapping(
    node: object, refs: list[_Reference], text: str, direction: str, tx: bool
) -> None:
    """Find include/includeAll/sqlFile mappings in a parsed JSON changelog."""
    if isinstance(node, list):
        for item in node:
            _walk_mapping(item, refs, text, direction, tx)
        return
    if not isinstance(node, dict):
        return
    if isinstance(node.get("changeSet"), dict):
        tx = _truthy(node["changeSet"].get("runInTransaction"), True)
    for key, value in node.items():
        if key in _KINDS and isinstance(value, dict):
            target = str(value.get("file") or value.get("path") or "")
            line = text.count("\n", 0, max(text.find(json.dumps(target)), 0)) + 1
            relative = _truthy(value.get("relativeToChangelogFile"), False)
            refs.append(_Reference(key, target, relative, direction, tx, line))
        else:
            _walk_mapping(value, refs, text, "down" if key == "rollback" else direction, tx)


_YAML_KEY = re.compile(r"^(?P<indent>\s*)(?:-\s+)?(?P<key>[A-Za-z]+)\s*:\s*(?P<value>.*?)\s*$")


@dataclass
class _Open:
    """A YAML include/includeAll/sqlFile mapping being read: its keys below it."""

    kind: str
    indent: int
    line: int
    direction: str
    in_transaction: bool
    keys: dict[str, str] = field(default_factory=dict)

    def reference(self) -> _Reference:
        return _Reference(
            kind=self.kind,
            target=self.keys.get("file") or self.keys.get("path") or "",
            relative=_truthy(self.keys.get("relativeToChangelogFile"), False),
            direction=self.direction,
            in_transaction=self.in_transaction,
            line=self.line,
        )


def _yaml_references(text: str) -> list[_Reference]:
    """The references of a YAML changelog, read by indentation (the block style
    Liquibase writes: `- include:` then `file:` below it); a changeSet's
    `runInTransaction: false` and a `rollback:` above a sqlFile count for it."""
    refs: list[_Reference] = []
    around: list[tuple[int, str]] = []  # (indent, key) of the mappings around a line
    no_transaction: list[int] = []  # indents of `runInTransaction: false` in force
    current: _Open | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        m = _YAML_KEY.match(raw)
        if m is None or raw.lstrip().startswith("#"):
            continue
        indent = len(m["indent"]) + (2 if raw.lstrip().startswith("- ") else 0)
        key, value = m["key"], m["value"].strip("'\"")
        if current is not None and indent > current.indent:
            current.keys[key] = value
            continue
        if current is not None:
            refs.append(current.reference())
            current = None
        around = [(i, k) for i, k in around if i < indent]
        no_transaction = [i for i in no_transaction if i <= indent]
        if key == "runInTransaction" and value.lower() == "false":
            no_transaction.append(indent)
        if key in _KINDS and not value:
            down = any(k == "rollback" for _, k in around)
            current = _Open(key, indent, number, "down" if down else "up", not no_transaction)
        around.append((indent, key))
    if current is not None:
        refs.append(current.reference())
    return refs
