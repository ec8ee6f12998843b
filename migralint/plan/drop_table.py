"""Drop a table: stop using it in the code first, drop it (or archive it) a release later.

The design: nothing changes in the schema until the contract; the expand and migrate
steps are code-only. By default the contract runs `DROP TABLE IF EXISTS` (no CASCADE:
it fails while a foreign key or a view still depends on the table, which is the point),
and its down cannot bring the table back faithfully, so it only says so. With
`--keep-copy` the contract renames the table to an archive name instead
(`<table>_dropped_<yyyymmdd>`), its down renames it back (fully reversible, data
included), and dropping the archive is a later manual step.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from migralint.plan import sql
from migralint.plan.model import Phase, Plan
from migralint.sql.ops import Name


@dataclass(frozen=True)
class Change:
    table: Name
    keep_copy: bool = field(
        default=False,
        metadata={
            "help": "Rename the table to <table>_dropped_<date> instead of dropping it "
            "(reversible; drop the archive later by hand)."
        },
    )
    lock_timeout: str = field(default="2s", metadata={"help": "lock_timeout for DDL."})


def archive_name(table: Name, day: datetime.date | None = None) -> Name:
    day = day or datetime.date.today()
    return Name(sql.generated_name(table.name, "dropped", day.strftime("%Y%m%d")), table.schema)


def plan(change: Change) -> Plan:
    table = change.table
    t = sql.qualified(table)
    regclass = sql.literal(t)
    lock = sql.lock_timeout(change.lock_timeout)
    slug = sql.slug("drop_table", table.name)
    expand = Phase(
        "expand",
        f"{slug}_expand",
        f"Expand: nothing changes in the schema. Ship the release that no longer reads or "
        f"writes {table}.\nCheck that nothing else does either: the counters in\n"
        f"  SELECT seq_scan, idx_scan, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables\n"
        f"  WHERE relid = to_regclass({regclass});\n"
        "should stay constant over a full business cycle (on the primary; replicas count "
        "their own reads).\nDrop the foreign keys that reference it and the views that read "
        "it in their own migrations.",
        sql.CODE_ONLY,
        sql.NOTHING,
    )
    migrate = Phase(
        "migrate",
        f"{slug}_migrate",
        f"Migrate: the release that no longer uses {table} is live (nothing runs here).\n"
        "Contract only once it is permanent: no rollback to a release that uses the table.",
        sql.CODE_ONLY,
        sql.NOTHING,
    )
    if change.keep_copy:
        archive = archive_name(table)
        contract = Phase(
            "contract",
            f"{slug}_contract",
            f"Contract: rename {table} to {archive.name} instead of dropping it: the data stays, "
            "and the down\nrenames it back (fully reversible). Indexes, constraints and "
            "sequences keep their names, and\nforeign keys still point at it. Dropping "
            f"{archive} is a later manual step, once nobody needs\nthe data: "
            f"DROP TABLE IF EXISTS {sql.qualified(archive)};",
            f"{lock}\n\nALTER TABLE IF EXISTS {t} RENAME TO {sql.ident(archive.name)};",
            f"{lock}\n\nALTER TABLE IF EXISTS {sql.qualified(archive)} "
            f"RENAME TO {sql.ident(table.name)};",
        )
        summary = (
            f"Dropping table {table} in three migrations: code-only expand and migrate, then "
            f"the contract renames it to {archive.name} (its down renames it back, data "
            f"included). Dropping {archive.name} is a later manual step."
        )
    else:
        contract = Phase(
            "contract",
            f"{slug}_contract",
            f"Contract: drop {table} (no CASCADE: it fails while a foreign key or a view still "
            "depends on it).\nIts data is gone for good: take a backup first if it may be "
            "needed, or plan with --keep-copy\nto archive the table under another name "
            "instead. Its down cannot re-create the table.",
            f"{lock}\n\nDROP TABLE IF EXISTS {t};",
            f"-- Irreversible: the down cannot re-create {table} faithfully (columns, "
            "constraints, indexes,\n-- grants, data); restore it from a backup.\nSELECT 1;",
        )
        summary = (
            f"Dropping table {table} in three migrations: code-only expand and migrate, then "
            "DROP TABLE in the contract. Warning: the contract's down cannot restore the table "
            "or its data; plan with --keep-copy to archive it under another name instead."
        )
    return Plan("drop-table", (expand, migrate, contract), summary)
