"""The Alembic static reader: every operation of the fixture projects as the Ops the
SQL front end produces, at the Python line of the `op.` call."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from migralint.alembic.execute_sql import sql_ops
from migralint.alembic.front_end import AUTOCOMMIT_REASON, Part, revision_parts
from migralint.alembic.ops import (
    CommitInRevision,
    EnvironmentRun,
    FailingCall,
    UnjudgedTypeChange,
    UnreadWrite,
    UnresolvedCall,
)
from migralint.alembic.project import read_version_set
from migralint.problems import InputProblem
from migralint.sql import ops

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "alembic"
SHOP = FIXTURES / "shop" / "versions"


def _parts(path: Path, dialect: str = "postgres") -> list[Part]:
    return revision_parts(path, path.read_text(), dialect, read_version_set(path.parent))


def _ops(path: Path, direction: str = "up", dialect: str = "postgres") -> list[ops.Op]:
    return [
        p.op
        for part in _parts(path, dialect)
        if part.direction == direction
        for p in part.pieces
        if not isinstance(p.op, (ops.EndOfFile, ops.SetSetting, EnvironmentRun))
    ]


def _line(path: Path, text: str) -> int:
    """The 1-based line of the first line of `path` containing `text`."""
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_create_table_reads_columns_types_defaults_and_constraints() -> None:
    users, orders, index = _ops(SHOP / "a1_create_users.py")
    assert isinstance(users, ops.CreateTable) and users.table == ops.Name("users")
    columns = {c.name: c for c in users.columns}
    assert columns["id"].nullable is False and columns["id"].constraints[0].kind == "primary_key"
    assert columns["id"].serial  # SQLAlchemy renders a sole integer primary key as SERIAL
    assert columns["name"].type == ops.DataType("varchar", (50,), sql="varchar(50)")
    assert columns["name"].nullable is False and columns["email"].nullable is True
    assert columns["created_at"].type is not None
    assert columns["created_at"].type.name == "timestamptz"
    assert columns["created_at"].default == ops.Default("now()", volatile=False)
    assert columns["active"].default == ops.Default("true")
    assert isinstance(orders, ops.CreateTable)
    assert {c.name: c.type for c in orders.columns}["id"] == ops.DataType(
        "bigserial", sql="bigserial"
    )
    kinds = {c.kind: c for c in orders.constraints}
    assert kinds["primary_key"].columns == ("id",)
    fk = kinds["foreign_key"]
    assert fk.columns == ("user_id",) and fk.references == ops.ForeignKeyRef(
        ops.Name("users"), ("id",)
    )
    assert {c.name: c.type for c in orders.columns}["amount"] == ops.DataType(
        "numeric", (10, 2), sql="numeric(10, 2)"
    )
    assert isinstance(index, ops.CreateIndex)
    assert (index.name, index.table, index.columns) == (
        "ix_orders_user_id",
        ops.Name("orders"),
        ("user_id",),
    )


def test_every_operation_of_the_upgrade_in_order() -> None:
    path = SHOP / "b2_every_op.py"
    found = _ops(path)
    assert [type(op).__name__ for op in found] == [
        "AddColumn",  # nickname
        "SetNotNull",  # email nullable=False
        "AlterColumnType",  # name, varchar(50) → varchar(100) (existing_type)
        "AlterColumnType",  # user_id, with existing_type
        "AlterColumnType",  # amount, without existing_type: a1 created it numeric(10,2)
        "SetDefault",
        "RenameColumn",
        "CreateIndex",
        "AddConstraint",  # foreign key
        "AddConstraint",  # unique
        "AddConstraint",  # check
        "DropConstraint",
        "AddColumn",  # batch_op: status
        "DropColumn",  # batch_op: note
        "AddColumn",  # helper receiving op: updated_by
        "Update",  # op.execute("UPDATE …")
        "SetDefault",  # op.execute(sa.text("ALTER TABLE …"))
        "CreateIndex",  # autocommit block, CONCURRENTLY
        "RenameTable",
    ]
    nickname = found[0]
    assert isinstance(nickname, ops.AddColumn)
    assert nickname.column.nullable is False and nickname.column.default == ops.Default("''")
    retype = found[3]
    assert isinstance(retype, ops.AlterColumnType) and retype.column == "user_id"
    assert retype.type == ops.DataType("bigint", sql="bigint")
    assert retype.old_type == ops.DataType("integer", sql="integer")
    amount = found[4]
    assert isinstance(amount, ops.AlterColumnType) and amount.column == "amount"
    assert amount.old_type is None  # the catalog knows it from a1
    rename = found[6]
    assert isinstance(rename, ops.RenameColumn) and (rename.column, rename.new_name) == (
        "email",
        "mail",
    )
    unique_index = found[7]
    assert isinstance(unique_index, ops.CreateIndex) and unique_index.unique
    fk, unique, check = found[8:11]
    assert isinstance(fk, ops.AddConstraint) and fk.constraint.kind == "foreign_key"
    assert isinstance(unique, ops.AddConstraint) and unique.constraint.columns == ("mail",)
    assert isinstance(check, ops.AddConstraint) and check.constraint.expression == "amount > 0"
    batch_add, batch_drop = found[12:14]
    assert isinstance(batch_add, ops.AddColumn) and batch_add.table == ops.Name("orders")
    assert isinstance(batch_drop, ops.DropColumn) and batch_drop.column == "note"
    helper = found[14]
    assert isinstance(helper, ops.AddColumn) and helper.column.name == "updated_by"
    assert helper.loc.line == _line(path, "operations.add_column(")
    concurrent = found[17]
    assert isinstance(concurrent, ops.CreateIndex) and concurrent.concurrently
    for op in found:  # every Op points at its Python call
        assert (
            path.read_text()
            .splitlines()[op.loc.line - 1][op.loc.column - 1 :]
            .startswith(("op.", "batch_op.", "operations."))
        )


def test_sql_in_op_execute_is_placed_at_the_call() -> None:
    path = SHOP / "b2_every_op.py"
    update = next(op for op in _ops(path) if isinstance(op, ops.Update))
    assert update.table == ops.Name("users") and update.columns == ("nickname",)
    assert update.loc.line == _line(path, 'op.execute("UPDATE')
    assert update.loc.statement == "UPDATE users SET nickname = name"


def test_autocommit_block_runs_outside_the_transaction() -> None:
    parts = [p for p in _parts(SHOP / "b2_every_op.py") if p.direction == "up"]
    assert [p.transaction for p in parts] == ["per-file", "none", "per-file"]
    assert parts[1].transaction_reason == AUTOCOMMIT_REASON
    inside = [p.op for p in parts[1].pieces if not isinstance(p.op, ops.SetSetting)]
    assert len(inside) == 1 and isinstance(inside[0], ops.CreateIndex)
    assert "transaction_per_migration" in parts[0].transaction_reason


def test_env_py_timeouts_lead_every_part() -> None:
    for part in _parts(SHOP / "b2_every_op.py"):
        first = part.pieces[0].op
        assert isinstance(first, ops.SetSetting)
        assert (first.name, first.value) == ("lock_timeout", "2s")
        assert first.loc.path.endswith("env.py")


def test_downgrade_is_read_separately() -> None:
    down = _ops(SHOP / "b2_every_op.py", "down")
    assert isinstance(down[0], ops.RenameTable) and down[0].new_name == "orders"
    assert any(isinstance(op, ops.DropDefault) for op in down)
    assert all(not isinstance(op, UnjudgedTypeChange) for op in down)


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        ("postgres", ["DropConstraint:awards_team_id_fkey", "AddColumn:awards"]),
        (
            "mysql",
            ["DropConstraint:awards_ibfk_1", "AddColumn:awards", "AlterColumnType:awards"],
        ),
        ("sqlite", []),
    ],
)
def test_only_the_configured_dialects_branch_is_read(dialect: str, expected: list[str]) -> None:
    found = _ops(FIXTURES / "dialects" / "versions" / "m1_branches.py", dialect=dialect)
    described = [
        f"{type(op).__name__}:{op.name if isinstance(op, ops.DropConstraint) else op.table}"
        for op in found
        if isinstance(op, ops.TableOp)
    ]
    assert described == expected


def test_quay_style_parameters_core_statements_loops_and_commit() -> None:
    path = FIXTURES / "quay_style" / "versions" / "q1_helpers.py"
    found = _ops(path)
    assert [type(op).__name__ for op in found] == [
        "Insert",
        "Update",
        "AddColumn",
        "AddColumn",
        "Update",
        "CommitInRevision",
    ]
    insert, update, first, second, sql_update, commit = found
    assert isinstance(insert, ops.Insert) and insert.table == ops.Name("logentrykind")
    assert isinstance(update, ops.Update) and update.where and update.columns == ("name",)
    assert isinstance(first, ops.AddColumn) and isinstance(second, ops.AddColumn)
    assert (first.table.name, second.table.name) == ("user", "team")
    assert isinstance(sql_update, ops.Update) and sql_update.table == ops.Name("users")
    assert isinstance(commit, CommitInRevision) and commit.call == "db.session.commit"
    down = _ops(path, "down")
    assert isinstance(down[0], ops.Delete) and down[0].where


def test_what_cannot_be_resolved_is_an_unresolved_op_and_reading_goes_on() -> None:
    path = FIXTURES / "broken" / "versions" / "u1_unresolved.py"
    found = [op for op in _ops(path) if not isinstance(op, InputProblem)]
    unresolved = [op for op in found if isinstance(op, UnresolvedCall)]
    assert [u.call for u in unresolved] == ["op.sync_enum_values", "op.drop_table", "op.execute"]
    assert [u.loc.line for u in unresolved] == [9, 11, 12]
    assert isinstance(found[-1], ops.DropTable) and found[-1].table == ops.Name("legacy")


def test_a_python_syntax_error_is_unparsed_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "s1_syntax_error.py"  # kept as .txt in fixtures: ruff reads .py files
    shutil.copy(FIXTURES / "broken" / "s1_syntax_error.py.txt", path)
    (part,) = _parts(path)
    (op,) = [p.op for p in part.pieces]
    assert isinstance(op, ops.Unparsed) and (op.line, op.column) == (8, 18)
    assert "never closed" in op.error


def test_names_take_the_value_last_assigned_before_the_call() -> None:
    found = _ops(FIXTURES / "autogenerated" / "versions" / "g1_reschedule.py")
    updates = [op for op in found if isinstance(op, ops.Update)]
    assert [u.table.name for u in updates] == ["queries", "jobs"]
    assert not [op for op in found if isinstance(op, UnresolvedCall)]


def test_a_default_computed_in_python_is_a_constant() -> None:
    found = _ops(FIXTURES / "autogenerated" / "versions" / "g1_reschedule.py")
    options = next(op for op in found if isinstance(op, ops.AddColumn) and op.column.default)
    assert options.column.default == ops.Default("<unknown>", volatile=False)


def test_dropping_an_unnamed_constraint_fails_when_it_runs() -> None:
    path = FIXTURES / "autogenerated" / "versions" / "g1_reschedule.py"
    failing = [op for op in _ops(path, "down") if isinstance(op, FailingCall)]
    assert [(f.call, f.loc.line) for f in failing] == [
        ("op.drop_constraint", _line(path, "op.drop_constraint(None"))
    ]
    assert "None" in failing[0].reason


@pytest.mark.parametrize(
    ("dialect", "mode", "reason"),
    [
        ("postgres", "per-file", "env.py: transactional_ddl=False"),
        ("mysql", "none", "alembic on MySQL: each DDL statement commits implicitly"),
    ],
)
def test_transactional_ddl_false_still_runs_each_revision_in_a_transaction(
    dialect: str, mode: str, reason: str
) -> None:
    parts = _parts(FIXTURES / "quay_style" / "versions" / "q1_helpers.py", dialect)
    assert {(p.transaction, p.transaction_reason.split(":", 1)[0]) for p in parts} == {
        (mode, reason.split(":", 1)[0])
    }


def test_the_multidb_template_reads_every_engines_function() -> None:
    path = FIXTURES / "multidb" / "versions" / "k1_multidb.py"
    assert [type(op).__name__ for op in _ops(path)] == ["AddColumn", "DropTable"]
    assert [type(op).__name__ for op in _ops(path, "down")] == ["DropColumn"]


def test_typed_identifiers_bound_parameters_empty_sql_and_lambdas() -> None:
    path = FIXTURES / "edge" / "versions" / "h1_edges.py"
    assert read_version_set(path.parent).revisions[0].revision == "h1"
    found = _ops(path)
    assert [type(op).__name__ for op in found] == ["Update"]  # "" is no SQL; a lambda never ran
    update = found[0]
    assert isinstance(update, ops.Update) and update.table == ops.Name("accounts")


def test_loops_over_dicts_with_continue_break_and_an_early_return() -> None:
    path = FIXTURES / "edge" / "versions" / "h2_loops.py"
    found = [(type(op).__name__, getattr(op, "name", None)) for op in _ops(path)]
    assert found == [
        ("DropConstraint", "task_fail_ti_fkey"),
        ("DropConstraint", "task_map_ti_fkey"),  # then `break`
        ("AddConstraint", None),  # task_fail (task_map is skipped by `continue`)
        ("AddConstraint", None),  # xcom
    ]
    tables = [op.table.name for op in _ops(path) if isinstance(op, ops.AddConstraint)]
    assert tables == ["task_fail", "xcom"]
    assert _ops(path, dialect="sqlite") == []  # `return` first on SQLite


@pytest.mark.parametrize(
    ("call", "sql"),
    [
        (
            'op.alter_column("orders", "user_id", type_=sa.BigInteger(), '
            "existing_type=sa.Integer())",
            "ALTER TABLE orders ALTER COLUMN user_id TYPE BIGINT",
        ),
        (
            'op.alter_column("users", "name", type_=sa.String(100), existing_type=sa.String(50), '
            'postgresql_using="CAST(name AS VARCHAR(100))")',
            "ALTER TABLE users ALTER COLUMN name TYPE VARCHAR(100) USING CAST(name AS VARCHAR(100))",
        ),
    ],
)
def test_a_type_change_with_existing_type_is_sqls_op_with_the_old_type(
    tmp_path: Path, call: str, sql: str
) -> None:
    """The type rules judge it as they judge the SQL: same Op, plus the stated old type."""
    path = tmp_path / "versions" / "t1_retype.py"
    path.parent.mkdir()
    path.write_text(
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f'revision = "t1"\ndown_revision = None\n\n\ndef upgrade():\n    {call}\n'
    )
    (found,) = _ops(path)
    (from_sql,) = sql_ops(sql, found.loc, "postgres")
    assert isinstance(found, ops.AlterColumnType) and isinstance(from_sql, ops.AlterColumnType)
    assert found.old_type is not None and from_sql.old_type is None
    assert (found.table, found.column, str(found.type), found.using) == (
        from_sql.table,
        from_sql.column,
        str(from_sql.type),
        from_sql.using,
    )


def test_rows_written_through_the_orm_or_run_time_sql_are_unread_writes() -> None:
    refill = FIXTURES / "refill" / "versions"
    orm_calls = [
        op.call for op in _ops(refill / "f1_split_name.py", "down") if isinstance(op, UnreadWrite)
    ]
    assert orm_calls == ["session.add", "session.flush"]
    (built,) = [
        op for op in _ops(refill / "f2_drop_nickname.py", "down") if isinstance(op, UnreadWrite)
    ]
    assert built.call == "connection.execute"
    assert not [op for op in _ops(refill / "f3_drop_bio.py", "down") if isinstance(op, UnreadWrite)]


@pytest.mark.parametrize(
    ("dialect", "not_valid"), [("postgres", True), ("cockroach", True), ("mysql", False)]
)
def test_postgresql_not_valid_holds_where_postgresqls_compiler_renders(
    dialect: str, not_valid: bool
) -> None:
    path = FIXTURES / "not_valid" / "versions" / "n2_cascade.py"
    added = [op for op in _ops(path, dialect=dialect) if isinstance(op, ops.AddConstraint)]
    assert [(c.constraint.kind, c.constraint.not_valid) for c in added] == [
        ("foreign_key", not_valid),
        ("check", not_valid),
    ]


@pytest.mark.parametrize(("dialect", "if_exists"), [("postgres", True), ("mysql", False)])
def test_keyword_arguments_from_a_literal_dict_chosen_by_the_dialect_are_read(
    dialect: str, if_exists: bool
) -> None:
    path = FIXTURES / "dialect_kwargs" / "versions" / "k1_trace_index.py"
    [index] = _ops(path, dialect=dialect)
    assert isinstance(index, ops.CreateIndex) and index.name == "ix_spans_trace"
    [dropped] = _ops(path, "down", dialect)
    assert isinstance(dropped, ops.DropIndex) and dropped.if_exists is if_exists
