"""MySQL building blocks for plans: quoting, guarded DDL, sync triggers, batched backfill.

MySQL has no transactional DDL, no `ADD COLUMN IF NOT EXISTS` and no trigger function
shared by INSERT and UPDATE, so: DDL is guarded by a prepared statement that runs only
when information_schema says it is needed (re-runnable), and the sync is two triggers.
Files are sent as one multi-statement query (golang-migrate's `multiStatements=true`,
Flyway, dbmate): the server parses `BEGIN … END` bodies itself, no DELIMITER needed.
"""

from __future__ import annotations

import math

from migralint.plan import sql
from migralint.plan.model import PlanError, shown
from migralint.sql.ops import Name

MAX_IDENTIFIER = 64  # characters


def quote(ident: str) -> str:
    """One identifier in backticks; PlanError when MySQL would not keep it as given."""
    if not ident or "\0" in ident or ident != ident.rstrip(" "):
        raise PlanError(f"{shown(ident)!r} is not a valid MySQL identifier")
    if len(ident) > MAX_IDENTIFIER:
        raise PlanError(f"{shown(ident)} is longer than MySQL's {MAX_IDENTIFIER}-character limit")
    return "`" + ident.replace("`", "``") + "`"


def quote_name(name: Name) -> str:
    return f"{quote(name.schema)}.{quote(name.name)}" if name.schema else quote(name.name)


def literal(text: str) -> str:
    """A string literal, read the same with or without NO_BACKSLASH_ESCAPES when it has
    no backslash; PlanError on a NUL."""
    if "\0" in text:
        raise PlanError(f"{shown(text)} contains a NUL character")
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def with_lock_wait_timeout(postgres_style: str, body: str) -> str:
    """`body` under `SET SESSION lock_wait_timeout` (whole seconds, at least 1, from a
    PostgreSQL-style duration such as '2s' or '500ms', checked as `sql.duration` checks
    it), reset to the server's default at the end: MySQL has no transaction-scoped
    setting around DDL, and the tools run the next migration on the same connection."""
    seconds = max(1, math.ceil(sql.duration_ms(postgres_style) / 1000))
    return (
        f"SET SESSION lock_wait_timeout = {seconds};\n\n{body}\n\n"
        "SET SESSION lock_wait_timeout = DEFAULT;"
    )


def _column_exists(table: Name, column: str) -> str:
    schema = literal(table.schema) if table.schema else "DATABASE()"
    return (
        "SELECT COUNT(*) FROM information_schema.columns\n"
        f"  WHERE table_schema = {schema} AND table_name = {literal(table.name)}\n"
        f"    AND column_name = {literal(column)}"
    )


def _run_if(count: str, expected: int, statement: str) -> str:
    """Run `statement` only when the `count` query gives `expected`: re-runnable DDL."""
    return (
        f"SET @migralint_ddl = IF(({count}) = {expected},\n  {literal(statement)},\n  'DO 0');\n"
        "PREPARE migralint_stmt FROM @migralint_ddl;\n"
        "EXECUTE migralint_stmt;\n"
        "DEALLOCATE PREPARE migralint_stmt;"
    )


def add_column(table: Name, column: str, column_type: str) -> str:
    """ADD COLUMN, online (INPLACE, LOCK=NONE: it fails rather than block writes)."""
    ddl = (
        f"ALTER TABLE {quote_name(table)} ADD COLUMN {quote(column)} {column_type}, "
        "ALGORITHM=INPLACE, LOCK=NONE"
    )
    return _run_if(_column_exists(table, column), 0, ddl)


def drop_column(table: Name, column: str) -> str:
    ddl = (
        f"ALTER TABLE {quote_name(table)} DROP COLUMN {quote(column)}, ALGORITHM=INPLACE, LOCK=NONE"
    )
    return _run_if(_column_exists(table, column), 1, ddl)


def sync_triggers(table: Name, trigger: str, old: str, new: str) -> str:
    """BEFORE INSERT and BEFORE UPDATE triggers keeping `old` and `new` equal both ways.

    INSERT: whichever side the writer filled is copied to the other. UPDATE: the side
    that changed wins over the stale other (`<=>` is NULL-safe equality); if both
    changed, both are kept. A BEFORE trigger only sets NEW, so it cannot recurse.
    """
    t = quote_name(table)
    o, n = f"NEW.{quote(old)}", f"NEW.{quote(new)}"
    po, pn = f"OLD.{quote(old)}", f"OLD.{quote(new)}"
    insert, update = quote(f"{trigger}_ins"), quote(f"{trigger}_upd")
    schema = f"{quote(table.schema)}." if table.schema else ""
    return f"""DROP TRIGGER IF EXISTS {schema}{insert};
CREATE TRIGGER {schema}{insert} BEFORE INSERT ON {t}
FOR EACH ROW
BEGIN
  IF {n} IS NULL THEN
    SET {n} = {o};
  ELSEIF {o} IS NULL THEN
    SET {o} = {n};
  END IF;
END;
DROP TRIGGER IF EXISTS {schema}{update};
CREATE TRIGGER {schema}{update} BEFORE UPDATE ON {t}
FOR EACH ROW
BEGIN
  IF NOT ({n} <=> {pn}) AND ({o} <=> {po}) THEN
    SET {o} = {n};
  ELSEIF NOT ({o} <=> {po}) AND ({n} <=> {pn}) THEN
    SET {n} = {o};
  END IF;
END;"""


def drop_triggers(table: Name, trigger: str) -> str:
    schema = f"{quote(table.schema)}." if table.schema else ""
    return (
        f"DROP TRIGGER IF EXISTS {schema}{quote(f'{trigger}_ins')};\n"
        f"DROP TRIGGER IF EXISTS {schema}{quote(f'{trigger}_upd')};"
    )


def backfill(table: Name, key: str, target: str, source: str, batch_size: int) -> str:
    """Copy `source` into `target` where still empty, `batch_size` rows per statement in
    key order; with autocommit each UPDATE commits on its own. A re-run only touches
    rows still empty."""
    procedure = quote(sql.generated_name("migralint_backfill", table.name, target))
    batch_size = sql.checked_batch_size(batch_size)
    t, c, s = quote_name(table), quote(target), quote(source)
    return f"""DROP PROCEDURE IF EXISTS {procedure};
CREATE PROCEDURE {procedure}()
BEGIN
  REPEAT
    UPDATE {t} SET {c} = {s}
    WHERE {c} IS NULL AND {s} IS NOT NULL
    ORDER BY {quote(key)}
    LIMIT {batch_size};
  UNTIL ROW_COUNT() = 0 END REPEAT;
END;
CALL {procedure}();
DROP PROCEDURE {procedure};"""
