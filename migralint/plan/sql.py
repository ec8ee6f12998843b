"""PostgreSQL building blocks the plans share: lock timeout, sync triggers, backfills.

Every identifier passes through `quote`, so mixed case, reserved words and quotes in
names come out right; generated names stay within PostgreSQL's 63-byte limit.
"""

from __future__ import annotations

import hashlib
import re

from migralint.sql.names import quote, quote_name
from migralint.sql.ops import Name

MAX_IDENTIFIER = 63


def slug(*parts: str) -> str:
    """File-name words from names: `User Accounts`, `Full Name` → `user_accounts_full_name`."""
    return re.sub(r"\W+", "_", "_".join(parts)).strip("_").lower()


def no_sql(note: str) -> str:
    """The body of a migration with nothing to run: a comment and `SELECT 1;`."""
    comment = "\n".join(f"-- {line}" for line in note.splitlines())
    return f"{comment}\nSELECT 1;"


CODE_ONLY = no_sql("Code-only step: nothing to run.")
NOTHING = no_sql("Nothing to undo.")


def lock_timeout(value: str) -> str:
    return f"SET lock_timeout = '{value}';"


def generated_name(*parts: str) -> str:
    """A name made of parts, shortened with a hash suffix when over 63 bytes."""
    name = "_".join(p.strip('"') for p in parts)
    if len(name.encode()) <= MAX_IDENTIFIER:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    head = name.encode()[: MAX_IDENTIFIER - 9].decode(errors="ignore")
    return f"{head}_{digest}"


def sync_function(table: Name, function: Name, old: str, new: str) -> str:
    """A BEFORE trigger function keeping `old` and `new` equal in both directions.

    INSERT: whichever side the writer filled is copied to the other. UPDATE: the side
    that changed wins over the stale other; if both changed, both are kept as written.
    A BEFORE trigger only edits NEW, so it cannot recurse.
    """
    o, n = f"NEW.{quote(old)}", f"NEW.{quote(new)}"
    po, pn = f"OLD.{quote(old)}", f"OLD.{quote(new)}"
    return f"""CREATE OR REPLACE FUNCTION {quote_name(function)}() RETURNS trigger
LANGUAGE plpgsql AS $sync$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF {n} IS NULL THEN
      {n} := {o};
    ELSIF {o} IS NULL THEN
      {o} := {n};
    END IF;
  ELSIF {n} IS DISTINCT FROM {pn} AND {o} IS NOT DISTINCT FROM {po} THEN
    {o} := {n};
  ELSIF {o} IS DISTINCT FROM {po} AND {n} IS NOT DISTINCT FROM {pn} THEN
    {n} := {o};
  END IF;
  RETURN NEW;
END
$sync$;"""


def create_trigger(table: Name, trigger: str, function: Name) -> str:
    return (
        f"DROP TRIGGER IF EXISTS {quote(trigger)} ON {quote_name(table)};\n"
        f"CREATE TRIGGER {quote(trigger)} BEFORE INSERT OR UPDATE ON {quote_name(table)}\n"
        f"  FOR EACH ROW EXECUTE FUNCTION {quote_name(function)}();"
    )


def drop_trigger(table: Name, trigger: str, function: Name) -> str:
    return (
        f"DROP TRIGGER IF EXISTS {quote(trigger)} ON {quote_name(table)};\n"
        f"DROP FUNCTION IF EXISTS {quote_name(function)}();"
    )


def backfill(
    table: Name, key: str, target: str, source_expression: str, batch_size: int, commit: bool
) -> str:
    """A keyset-batched UPDATE of `target` from an expression, guarded so a re-run only
    touches rows still empty. With `commit`, each batch commits (run it outside a
    transaction block); without, the loop runs in the caller's transaction.

    It refuses to start unless `key` is a NOT NULL column with a unique index of its own
    (a primary key): rows with a NULL key would be skipped, and without an index every
    batch scans the table."""
    t, k, c = quote_name(table), quote(key), quote(target)
    commit_line = "\n    COMMIT;" if commit else ""
    regclass = t.replace("'", "''")
    message = (
        (
            f"migralint backfill: {table} has no primary key or unique NOT NULL column {key} "
            "to batch by; plan again with --key naming one"
        )
        .replace("'", "''")
        .replace("%", "%%")
    )
    return f"""DO $backfill$
DECLARE
  last_key {t}.{k}%TYPE;
  batch_end {t}.{k}%TYPE;
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_index AS i
    JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
    WHERE i.indrelid = '{regclass}'::regclass AND i.indisunique AND i.indisvalid
      AND i.indnatts = 1 AND i.indpred IS NULL AND a.attnotnull
      AND a.attname = '{key.replace("'", "''")}'
  ) THEN
    RAISE EXCEPTION '{message}';
  END IF;
  LOOP
    SELECT max(b.{k}) INTO batch_end FROM (
      SELECT {k} FROM {t}
      WHERE last_key IS NULL OR {k} > last_key
      ORDER BY {k}
      LIMIT {batch_size}
    ) AS b;
    EXIT WHEN batch_end IS NULL;
    UPDATE {t} SET {c} = {source_expression}
    WHERE (last_key IS NULL OR {k} > last_key) AND {k} <= batch_end
      AND {c} IS NULL AND ({source_expression}) IS NOT NULL;
    last_key := batch_end;{commit_line}
  END LOOP;
END
$backfill$;"""


def guarded_constraint(table: Name, constraint: str, statement: str) -> str:
    """Run an ADD CONSTRAINT only when the constraint does not exist yet (re-runnable)."""
    regclass = quote_name(table).replace("'", "''")
    name = constraint.replace("'", "''")
    return f"""DO $guard$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_constraint
    WHERE conname = '{name}' AND conrelid = '{regclass}'::regclass
  ) THEN
    {statement};
  END IF;
END
$guard$;"""
