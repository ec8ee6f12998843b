"""The front-end seam: every file is read into one `Migration` (picklable, carried by
the result), bytes come from a `Contents`, front ends are registered, the engine
judges only Migrations, and a file given alone is judged after its set's history."""

from __future__ import annotations

import pickle
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import REPO, write_tree

from migralint import engine, frontends
from migralint.config import Settings
from migralint.engine import Linter, lint_paths, lint_text
from migralint.findings import Finding
from migralint.frontends import Reading, Registered, front_end_for
from migralint.migration import Migration, Part, ReadStatement
from migralint.run_context import file_context
from migralint.schema import Catalog
from migralint.sources.files import InputError
from migralint.sources.layout import MigrationFile
from migralint.sql import ops

SINGLE = REPO / "fixtures" / "single-file" / "migrations"
WIDEN = SINGLE / "V2__widen_name.sql"


def _verdicts(findings: Sequence[Finding]) -> list[tuple[str, str, int, str]]:
    return [(Path(f.path).name, f.rule, f.line, f.message) for f in findings]


def test_a_file_given_alone_gets_the_verdicts_of_a_folder_run() -> None:
    folder = lint_paths([SINGLE], Settings())
    alone = lint_paths([WIDEN], Settings())
    in_folder = [v for v in _verdicts(folder.findings) if v[0] == WIDEN.name]
    assert _verdicts(alone.findings) == in_folder
    assert "changing-column-type" not in {f.rule for f in alone.findings}  # a widening
    assert [m.path for m in alone.migrations] == [str(WIDEN)]  # only it is reported
    assert alone.files_linted == 1
    # without its history the same statement reads as a rewrite: the replay decides
    without = lint_text(WIDEN.read_text(encoding="utf-8"), Settings(), str(WIDEN))
    assert "changing-column-type" in {f.rule for f in without}


def test_a_file_given_alone_replays_only_the_migrations_before_it(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "V1__create.sql": "CREATE TABLE t (id int, note varchar(10));\n",
            "V2__widen.sql": "ALTER TABLE t ALTER COLUMN note TYPE varchar(20);\n",
            "V3__drop.sql": "ALTER TABLE t DROP COLUMN note;\n",
        },
    )
    settings = Settings(select=("changing-column-type",))
    assert lint_paths([tmp_path / "V2__widen.sql"], settings).findings == []
    # V1 given with V2: V1 is judged and reported, and replayed once
    both = lint_paths([tmp_path / "V1__create.sql", tmp_path / "V2__widen.sql"], settings)
    assert both.findings == [] and both.files_linted == 2


def test_the_pre_commit_case_sees_the_check_validated_in_an_earlier_file(tmp_path: Path) -> None:
    """What pre-commit passes is the commit's files only: SET NOT NULL after a CHECK
    validated in an earlier file is as clean alone as in the folder run."""
    write_tree(
        tmp_path,
        {
            "V1__users.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
            "V2__check.sql": "ALTER TABLE users ADD CONSTRAINT email_set "
            "CHECK (email IS NOT NULL) NOT VALID;\n",
            "V3__validate.sql": "ALTER TABLE users VALIDATE CONSTRAINT email_set;\n",
            "V4__not_null.sql": "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n",
        },
    )
    settings = Settings(select=("setting-not-null",))
    assert lint_paths([tmp_path], settings).findings == []
    assert lint_paths([tmp_path / "V4__not_null.sql"], settings).findings == []
    without = lint_text("ALTER TABLE users ALTER COLUMN email SET NOT NULL;", settings)
    assert [f.rule for f in without] == ["setting-not-null"]  # the history decides


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
    kinds = [type(op).__name__ for s in part.statements for op in s.ops]
    assert kinds == ["CreateTable", "DoBlock", "AddColumn"]  # the DO block's DDL expanded
    assert isinstance(part.end, ops.EndOfFile) and part.end.loc.line == 3
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
        self.read_names: list[str] = []  # in the order they were read

    def read(self, file: MigrationFile) -> bytes:
        self.read_names.append(file.path.name)
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
    hand = Registered("hand", lambda file: file.path.name.startswith("V1"), "unused:x")
    monkeypatch.setattr(frontends, "FRONT_ENDS", (hand, *frontends.FRONT_ENDS))
    monkeypatch.setitem(frontends._loaded, "hand", _HandWritten())
    result = lint_paths([tmp_path], Settings(select=("drop-table",)))
    assert [(f.rule, f.line, f.column) for f in result.findings] == [("drop-table", 3, 5)]
    assert result.migrations[0].front_end == "hand"
    sql_file = replace(result.migrations[0].file, path=tmp_path / "V9__other.sql")
    assert front_end_for(sql_file).name == "sql"


def test_reading_past_the_time_budget_judges_what_was_read_and_says_where_it_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, one_finding_per_statement: None
) -> None:
    """Reading and judging get `time_budget` each: the statements read before the
    budget ran out are judged, and file-too-slow names the line reading reached."""
    parse = engine.parse_statement

    def slow(stmt, path, dialect):  # type: ignore[no-untyped-def]
        if stmt.line == 2:
            time.sleep(0.3)
        return parse(stmt, path, dialect)

    monkeypatch.setattr(engine, "parse_statement", slow)
    write_tree(tmp_path, {"V1__x.sql": "DROP TABLE a;\nDROP TABLE b;\nDROP TABLE c;\n"})
    result = lint_paths([tmp_path], Settings(time_budget=0.2, select=("drop-table",)))
    assert [(f.rule, f.line) for f in result.findings] == [
        ("drop-table", 1),
        ("drop-table", 2),
        ("file-too-slow", 3),
    ]
    assert "stopped at line 3" in result.findings[-1].message
    assert result.skipped == {str(tmp_path / "V1__x.sql"): "time budget exceeded"}


def test_a_front_end_bug_is_an_internal_error_and_the_other_files_are_linted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Broken:
        name = "broken"

        def read(self, file: MigrationFile, data: bytes, reading: Reading) -> Migration:
            raise KeyError("boom")

    write_tree(tmp_path, {"V1__x.sql": "SELECT 1;\n", "V2__y.sql": "DROP TABLE a;\n"})
    broken = Registered("broken", lambda file: file.path.name.startswith("V1"), "unused:x")
    monkeypatch.setattr(frontends, "FRONT_ENDS", (broken, *frontends.FRONT_ENDS))
    monkeypatch.setitem(frontends._loaded, "broken", Broken())
    result = lint_paths([tmp_path], Settings(select=("drop-table",)))
    assert [(Path(f.path).name, f.rule, f.message) for f in result.findings] == [
        ("V1__x.sql", "internal-error", "migralint failed: KeyError: 'boom'"),
        ("V2__y.sql", "drop-table", result.findings[1].message),
    ]
    assert result.skipped == {str(tmp_path / "V1__x.sql"): "internal error"}


def test_a_file_given_alone_replays_the_earlier_ups_and_reads_no_down(tmp_path: Path) -> None:
    files = {
        "1_users.up.sql": b"CREATE TABLE users (id int, name varchar(10));\n",
        "1_users.down.sql": b"DROP TABLE users;\n",
        "2_widen.up.sql": b"ALTER TABLE users ALTER COLUMN name TYPE varchar(20);\n",
        "2_widen.down.sql": b"ALTER TABLE users ALTER COLUMN name TYPE varchar(10);\n",
    }
    write_tree(tmp_path, files)
    recording = _Memory(files)
    result = lint_paths([tmp_path / "2_widen.up.sql"], Settings(), contents=recording)
    assert recording.read_names == ["1_users.up.sql", "2_widen.up.sql"]
    assert "changing-column-type" not in {f.rule for f in result.findings}


def test_statements_inside_a_safety_assured_block_carry_its_suppression(
    one_finding_per_statement: None,
) -> None:
    """diesel-guard's `-- safety-assured:start … end` silences every rule on the
    statements between them; after the end, or after a start never closed, nothing."""
    fixture = REPO / "fixtures" / "sql" / "other_linters_directives.sql"
    result = lint_paths([fixture], Settings(select=("drop-column", "drop-table")))
    lines = {f.line for f in result.findings}
    assert not lines & {11, 12} and {15, 18} <= lines
    [part] = result.migrations[0].parts
    assured = {s.line for s in part.statements if any(x.line == 10 for x in s.suppressions)}
    assert assured == {11, 12}
