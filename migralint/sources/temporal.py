"""temporal-sql-tool version folders (Temporal's, and Cadence's cadence-sql-tool), read statically.

`update-schema --schema-dir …/versioned` applies the version folders of that directory
above the database's current version, in version order, compared numerically (`v1.10`
after `v1.9`). Each folder's `manifest.json` names in `SchemaUpdateCqlFiles` the files
that run, in that order; a file it does not list never runs. Every statement is sent on
its own (`db.Exec(stmt)`), outside any transaction. The tool refuses a folder whose
manifest is not JSON, lacks `SchemaUpdateCqlFiles` or a valid `MinCompatibleVersion`,
or whose `CurrVersion` is not the folder's version.

Cadence also reads squash folders `sA-B` (`s0.0-0.23`): a shortcut from version A to B
that the tool takes instead of the plain versions between them when the database is at
A. The initial schema is installed by `setup-schema` from a `schema.sql`, usually beside
`versioned/`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

TOOL = "temporal-sql-tool"
MANIFEST = "manifest.json"
VERSIONED = "versioned"
SETUP_SCHEMA = "schema.sql"
RUNS = f"{TOOL} executes each statement on its own"

# Temporal: a `v[\d.]+` folder whose name parses as a (tolerant) semantic version;
# Cadence: `v\d+(\.\d+)?` and squash folders `s\d+(\.\d+)?-\d+(\.\d+)?`
_VERSION = re.compile(r"v(\d+(?:\.\d+){0,2})")
_SQUASH = re.compile(r"s(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)")
_MANIFEST_VERSION = re.compile(r"v?\d+(?:\.\d+){0,2}")
_NEAR_VERSION = re.compile(r"v[\d.]+")  # Temporal skips such a folder that is no version


@dataclass(frozen=True, slots=True)
class VersionFolder:
    """A folder the tool applies: the version it brings the schema to, and for a squash
    folder the version it starts from."""

    version: str  # as written in the folder's name ("1.10")
    start: str | None = None  # a squash folder's start version; None for a plain one

    @property
    def order(self) -> tuple[int, ...]:
        """The version, compared numerically, with a missing minor or patch as 0."""
        return version_order(self.version)


@dataclass(frozen=True, slots=True)
class Manifest:
    """The files a version folder's manifest.json runs, in order; or why it cannot be read."""

    files: tuple[str, ...]
    problem: tuple[int, str] | None = None  # (line, what is wrong)


def version_folder(name: str) -> VersionFolder | None:
    """The version a folder's name gives (`v1.10`, Cadence's squash `s1.1-1.3`), or None."""
    if m := _VERSION.fullmatch(name):
        return VersionFolder(m[1])
    if (m := _SQUASH.fullmatch(name)) and version_order(m[1]) < version_order(m[2]):
        return VersionFolder(m[2], start=m[1])
    return None


def skipped_folder(name: str) -> bool:
    """Whether the tool passes over a folder named like a version that is none
    (`v1.10-1.13`, `v1.2.3.4`): it never runs its files."""
    return bool(_NEAR_VERSION.match(name)) and version_folder(name) is None


def version_order(version: str) -> tuple[int, ...]:
    parts = [int(p) for p in version.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def read_manifest(text: str, folder: VersionFolder) -> Manifest:
    """The files a manifest.json lists, checked as the tool checks it: JSON with a
    `CurrVersion` equal to the folder's version, a `MinCompatibleVersion` and a
    non-empty `SchemaUpdateCqlFiles` (keys matched case-insensitively, as Go does)."""
    try:
        found = json.loads(text)
    except json.JSONDecodeError as error:
        return Manifest((), (error.lineno, f"not valid JSON: {error.msg}"))
    if not isinstance(found, dict):
        return Manifest((), (1, "not a JSON object"))
    fields = {key.lower(): value for key, value in found.items()}
    current = fields.get("currversion")
    if not isinstance(current, str) or not _MANIFEST_VERSION.fullmatch(current):
        return Manifest((), (_line(text, "CurrVersion"), "CurrVersion is not a version (x.y)"))
    if current.removeprefix("v") != folder.version:
        return Manifest(
            (),
            (
                _line(text, "CurrVersion"),
                f"CurrVersion {current} is not the folder's version {folder.version}",
            ),
        )
    minimum = fields.get("mincompatibleversion")
    if not isinstance(minimum, str) or not _MANIFEST_VERSION.fullmatch(minimum):
        where = _line(text, "MinCompatibleVersion")
        return Manifest((), (where, "MinCompatibleVersion is not a version (x.y)"))
    files = fields.get("schemaupdatecqlfiles")
    if not files or not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        where = _line(text, "SchemaUpdateCqlFiles")
        return Manifest((), (where, "SchemaUpdateCqlFiles does not list the files to run"))
    return Manifest(tuple(files))


def _line(text: str, key: str) -> int:
    """The line of the manifest that holds `key` (1 when it has none)."""
    m = re.search(rf'"{key}"', text, re.IGNORECASE)
    return text.count("\n", 0, m.start()) + 1 if m else 1
