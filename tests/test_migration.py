"""The front-end seam: every file is read into one `Migration` (picklable, carried by
the result), bytes come from a `Contents`, front ends are registered, the engine
judges only Migrations."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import write_tree

from migralint import frontends
from migralint.config import Settings
from migralint.engine import Linter, lint_paths
from migralint.findings import Finding
from migralint.frontends import Reading, Registered, front_end_for
from migralint.migration import Migration, Part, ReadStatement
from migralint.run_context import file_context
from migralint.schema import Catalog
from migralint.sources.files import InputError
from migralint.sources.layout import MigrationFile
from migralint.sql import ops


def _verdicts(findings: Sequence[Finding]) -> list[tuple[str, str, int, str]]:
    return [(Path(f.path).name, f.rule, f.line, f.message) for f in findings]


def test_every_migration_read_is_in_the_result_and_survives_pickling(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "V1__x.sql": "-- migralint: phase=expand\nCREATE TABLE t (id int);\n"
            "DO $$ BEGIN ALTER TABLE t ADD COLUMN b int; END $$;\n",
            "V2__bad.sql": b"\x00binary",
        },
    )
    result = lint_paths([tmp_path], Settings())
    first, second = result.migrations
    assert first.front_end == "sql" and first.text is not None and first.unfinished is None
    [part] = first.parts
    assert part.context.phase == "expand" and part.context.statements == 2
    kinds = [type(op).__name__ for op in part.ops]
    assert kinds == ["CreateTable", "DoBlock", "AddColumn", "EndOfFile"]  # DO block expanded
    assert second.problem is not None and second.unfinished == "unreadable" and not second.parts
    assert result.rules and all(r.id for r in result.rules)
    for migration in result.migrations:
        copy = pickle.loads(pickle.dumps(migration))
        assert copy == migration
    # a cached Migration judges the same as a fresh one: the engine reads nothing else
    linter = Linter(list(result.rules), Settings())
    again = linter.judge(pickle.loads(pickle.dumps(first)), Catalog()).findings
    assert _verdicts(again) == _verdicts([f for f in result.findings if f.path == first.path])


class _Memory:
    """Contents from a dict, as a git revision would supply them."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files

    def read(self, file: MigrationFile) -> bytes:
        return self.files[file.path.name]


def test_the_bytes_come_from_the_contents_not_the_disk(tmp_path: Path) -> None:
    write_tree(tmp_path, {"V1__x.sql": "SELECT 1;\n", "V2__y.sql": "SELECT 2;\n"})
    contents = _Memory({"V1__x.sql": b"DROP TABLE a;\n", "V2__y.sql": b"SELECT 2;\n"})
    result = lint_paths([tmp_path], Settings(select=("drop-table",)), contents=contents)
    assert _verdicts(result.findings)[0][:3] == ("V1__x.sql", "drop-table", 1)
    assert result.sources[str(tmp_path / "V1__x.sql")] == "DROP TABLE a;\n"


def test_a_file_the_contents_cannot_read_is_a_finding(tmp_path: Path) -> None:
    from migralint.problems import UnreadableFile

    class Refusing:
        def read(self, file: MigrationFile) -> bytes:
            raise InputError(UnreadableFile.at(str(file.path), "not in this revision"))

    write_tree(tmp_path, {"V1__x.sql": "DROP TABLE a;\n"})
    result = lint_paths([tmp_path], Settings(), contents=Refusing())
    assert [(f.rule, f.message) for f in result.findings] == [
        ("unreadable-file", "not in this revision")
    ]
    assert result.skipped == {str(tmp_path / "V1__x.sql"): "unreadable"}


class _HandWritten:
    """A front end that builds its Ops itself, as the Alembic one will from Python."""

    name = "hand"

    def read(self, file: MigrationFile, data: bytes, reading: Reading) -> Migration:
        info = file_context(file, reading.dialect, reading.settings)
        loc = ops.Location(str(file.path), 3, 5, 3, 30)
        drop = ops.DropTable(loc=loc, table=ops.Name("accounts"))
        part = Part(replace(info, statements=1), "", (ReadStatement(3, (drop,)),))
        return Migration(file, info, self.name, "", (part,))


def test_the_engine_judges_whatever_front_end_is_registered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"V1__x.sql": "SELECT 1;\n"})
    hand = Registered("hand", lambda file: file.path.name.startswith("V1"), "test_migration:x")
    monkeypatch.setattr(frontends, "FRONT_ENDS", (hand, *frontends.FRONT_ENDS))
    monkeypatch.setitem(frontends._loaded, "hand", _HandWritten())
    result = lint_paths([tmp_path], Settings(select=("drop-table",)))
    assert [(f.rule, f.line, f.column) for f in result.findings] == [("drop-table", 3, 5)]
    assert result.migrations[0].front_end == "hand"
    sql_file = replace(result.migrations[0].file, path=tmp_path / "V9__other.sql")
    assert front_end_for(sql_file).name == "sql"
