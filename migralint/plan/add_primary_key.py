"""Add a primary key without a long lock: a unique index built concurrently, then
ADD CONSTRAINT … PRIMARY KEY USING INDEX; the columns must already be NOT NULL.

The design: add-unique's three phases. ADD PRIMARY KEY on a nullable column would SET
NOT NULL with a full scan under ACCESS EXCLUSIVE, and making the columns NOT NULL safely
takes three migrations of its own (`migralint plan set-not-null`), which do not fit
beside a concurrent index build. The plan cannot see the database, so the migrate phase
checks at run time and refuses, naming the nullable columns, before taking any lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from migralint.plan import constraint_steps as steps
from migralint.plan.add_unique import index_plan
from migralint.plan.model import Plan
from migralint.sql.ops import Name


@dataclass(frozen=True)
class Change:
    table: Name
    column: str = field(
        metadata={"help": "The primary key column(s), comma-separated; already NOT NULL."}
    )
    name: str | None = field(
        default=None, metadata={"help": "The constraint and index name (default: <table>_pkey)."}
    )
    lock_timeout: str = field(default="2s", metadata={"help": "lock_timeout for DDL."})


def plan(change: Change) -> Plan:
    table = change.table
    columns = steps.columns_of(change.column)
    name = steps.name_of(change.name or steps.default_name(table, [], "pkey"), "--name")
    schema = f" --schema {table.schema}" if table.schema else ""
    notes = (
        f"\nThe columns must be NOT NULL already: it refuses, naming them, if one is not "
        f"(make it so\nfirst with migralint plan set-not-null --table {table.name}{schema} "
        "--column …, PostgreSQL 12+).\nIt refuses too if the table already has another "
        "primary key."
    )
    plan = index_plan(
        "add-primary-key", table, columns, name, "PRIMARY KEY", change.lock_timeout, notes
    )
    summary = (
        f"{plan.summary} The columns must already be NOT NULL (migralint plan set-not-null); "
        "the migrate phase checks it and refuses otherwise."
    )
    return Plan(plan.operation, plan.phases, summary)
