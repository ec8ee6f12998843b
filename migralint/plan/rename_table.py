"""Rename a table: rename it and keep the old name as an updatable view until no release uses it.

The design: the expand renames the table and, in the same statement (one DO block, so
it is atomic whatever the tool's transaction handling), creates `CREATE VIEW old AS
SELECT * FROM new`. A view over one table with no joins, aggregates or DISTINCT is
automatically updatable: release N-1's SELECT, INSERT, UPDATE, DELETE (and RETURNING)
on the old name land in the table, with the table's column defaults (identity, serial,
DEFAULT), constraints and triggers applying as usual. The view gets the table's
SELECT/INSERT/UPDATE/DELETE grants, so an application role keeps its rights through
it. The migrate step is code-only (the release using the new name); the contract drops
the view.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from migralint.plan import sql
from migralint.plan.model import Phase, Plan
from migralint.sql.ops import Name


@dataclass(frozen=True)
class Change:
    table: Name
    to: str = field(metadata={"help": "The new name (same schema)."})
    lock_timeout: str = field(default="2s", metadata={"help": "lock_timeout for DDL."})


# What the old name, a view from the expand to the contract, does not accept that the
# table did: PostgreSQL refuses each on a view (tests/test_plan_rename_table_view.py).
VIEW_LIMITS = (
    "Through {old}, release N-1 keeps SELECT (FOR UPDATE too), INSERT (RETURNING, ON CONFLICT), "
    "UPDATE, DELETE\nand LOCK. PostgreSQL refuses on a view, so they fail on {old} until the "
    "release uses {new}: COPY … FROM\nand COPY … TO (COPY (SELECT …) TO works), TRUNCATE, "
    "MERGE (before PostgreSQL 17), ALTER TABLE, CREATE INDEX,\nCREATE TRIGGER and COMMENT ON "
    "TABLE; and columns added to {new} later are not in the view (SELECT * is\nexpanded when "
    "it is created)."
)


def literal(name: Name) -> str:
    """A relation name as a SQL string literal for to_regclass / format."""
    return sql.literal(sql.qualified(name))


def relkind_is(name: Name, kinds: str) -> str:
    """A PL/pgSQL condition: `name` exists and its pg_class.relkind is one of `kinds`."""
    listed = ", ".join(f"'{k}'" for k in kinds)
    return (
        f"coalesce((SELECT relkind FROM pg_class WHERE oid = to_regclass({literal(name)}))"
        f" IN ({listed}), false)"
    )


def view_statements(old: Name, new: Name) -> str:
    """PL/pgSQL lines: the view `old` over table `new`, with the table's DML grants.

    On PostgreSQL 15+ the view is `security_invoker`: queries through it run with the
    caller's rights and row-level security policies, as on the table. Below 15 a view
    runs as its owner, which bypasses the table's row security for every caller: with
    row security enabled on the table, the plan refuses there."""
    view = f"CREATE OR REPLACE VIEW {sql.qualified(old)}"
    select = f"AS SELECT * FROM {sql.qualified(new)};"
    refusal = sql.literal(
        f"migralint: {new} has row-level security and PostgreSQL before 15 has no "
        f"security_invoker views: a view {old} would show every row to every caller; "
        "rename the table in one release with the application instead"
    )
    return f"""  IF current_setting('server_version_num')::int >= 150000 THEN
    {view} WITH (security_invoker = true) {select}
  ELSIF (SELECT relrowsecurity FROM pg_class WHERE oid = to_regclass({literal(new)})) THEN
    RAISE EXCEPTION USING MESSAGE = {refusal};
  ELSE
    {view} {select}
  END IF;
  FOR granted IN
    SELECT a.privilege_type, a.grantee
    FROM pg_class c, aclexplode(c.relacl) a
    WHERE c.oid = to_regclass({literal(new)}) AND a.grantee <> c.relowner
      AND a.privilege_type IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE')
  LOOP
    EXECUTE format('GRANT %s ON %s TO %s', granted.privilege_type, {literal(old)},
      CASE WHEN granted.grantee = 0 THEN 'PUBLIC'
           ELSE quote_ident(pg_get_userbyid(granted.grantee)) END);
  END LOOP;"""


def _block(body: str) -> str:
    return sql.do_block(f"DECLARE\n  granted record;\nBEGIN\n{body}\nEND", "rename")


def plan(change: Change) -> Plan:
    old = change.table
    new = Name(change.to, old.schema)
    lock = sql.lock_timeout(change.lock_timeout)
    slug = sql.slug("rename_table", old.name, "to", change.to)
    rename = (
        f"  IF {relkind_is(old, 'rp')} AND to_regclass({literal(new)}) IS NULL THEN\n"
        f"    ALTER TABLE {sql.qualified(old)} RENAME TO {sql.ident(new.name)};\n"
        "  END IF;"
    )
    rename_back = (
        f"  IF {relkind_is(old, 'v')} THEN\n"
        f"    DROP VIEW IF EXISTS {sql.qualified(old)};\n"
        "  END IF;\n"
        f"  IF {relkind_is(new, 'rp')} AND to_regclass({literal(old)}) IS NULL THEN\n"
        f"    ALTER TABLE {sql.qualified(new)} RENAME TO {sql.ident(old.name)};\n"
        "  END IF;"
    )
    limits = VIEW_LIMITS.format(old=old.name, new=change.to)
    expand = Phase(
        "expand",
        f"{slug}_expand",
        f"Expand: rename {old} to {change.to} and, atomically, create a view {old.name} over "
        "it (SELECT *),\nso release N-1 keeps reading and writing the old name. The view is "
        "automatically updatable:\nwrites through it get the table's column defaults "
        "(identity, serial, DEFAULT), constraints\nand triggers, and it carries the table's "
        "SELECT/INSERT/UPDATE/DELETE grants; on PostgreSQL 15+ it is security_invoker,\nso "
        "row-level security applies through it (below 15 the expand refuses a table with "
        f"row security).\n{limits}\nIndexes, constraints and "
        "sequences keep their "
        f"names (e.g. {old.name}_pkey). Next: ship the release that uses {change.to}.",
        f"{lock}\n\n{_block(rename + chr(10) + view_statements(old, new))}",
        f"{lock}\n\n{_block(rename_back)}",
    )
    migrate = Phase(
        "migrate",
        f"{slug}_migrate",
        f"Migrate: ship the release that reads and writes {change.to} (nothing runs here).\n"
        f"Contract only once that release is permanent: no rollback to a release that uses "
        f"{old.name},\nand no other reader (reports, jobs, other services) left on it.",
        sql.CODE_ONLY,
        sql.NOTHING,
    )
    contract = Phase(
        "contract",
        f"{slug}_contract",
        f"Contract: drop the view {old.name}. Run it only once no running release uses "
        f"{old.name}.\nIts down re-creates the view.",
        f"{lock}\n\nDROP VIEW IF EXISTS {sql.qualified(old)};",
        f"{lock}\n\n{_block(view_statements(old, new))}",
    )
    summary = (
        f"Renaming table {old} to {change.to} in three migrations: expand (rename + an "
        f"updatable view {old.name} for release N-1, in one statement), migrate (code-only: "
        f"ship the release using {change.to}), contract (drop the view). Every down "
        "restores the previous state; no data moves. " + " ".join(limits.split("\n"))
    )
    return Plan("rename-table", (expand, migrate, contract), summary)
