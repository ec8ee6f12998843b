"""PostgreSQL building blocks the plans share: quoting, comments, session settings, sync
triggers, backfills.

Every identifier a plan writes goes through `ident`/`qualified` (quoted as PostgreSQL
reads it back, refused when PostgreSQL could not keep it as given), every string through
`literal`, every comment through `comment`, every dollar-quoted body through
`dollar_quoted`: no name or value can end a comment, a string or a body early.
"""

from __future__ import annotations

import hashlib
import re

from migralint.pgfacts import NAMEDATALEN
from migralint.plan.model import PlanError, comment, shown
from migralint.sql.names import quote
from migralint.sql.ops import Name

MAX_IDENTIFIER = NAMEDATALEN
MAX_BATCH_SIZE = 1_000_000
# A batch that meets a deadlock or a lock timeout is retried this many times in all,
# sleeping 0.2 s, 0.4 s, 0.8 s… in between, before the backfill gives up.
BACKFILL_TRIES = 5
_MAX_TIMEOUT_MS = 2_147_483_647  # PostgreSQL's largest timeout setting (INT_MAX ms)
_UNIT_MS = {"ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000, "d": 86_400_000}
# PL/pgSQL's reserved words that SQL does not reserve: quoted too, so that a name works
# inside a DO block or a trigger function (`t.loop%TYPE` does not parse).
_PLPGSQL_RESERVED = frozenset(
    ["begin", "by", "declare", "execute", "foreach", "if", "loop", "strict", "while"]
)


def ident(name: str) -> str:
    """One identifier, quoted when needed; PlanError when PostgreSQL would not keep it
    as given (empty, a NUL, longer than 63 bytes: it would be truncated)."""
    if not name or "\0" in name:
        raise PlanError(f"{shown(name)!r} is not a valid PostgreSQL identifier")
    if len(name.encode()) > MAX_IDENTIFIER:
        raise PlanError(
            f"{shown(name)} is longer than PostgreSQL's {MAX_IDENTIFIER}-byte identifier "
            "limit: it would be truncated"
        )
    return f'"{name}"' if name in _PLPGSQL_RESERVED else quote(name)


def qualified(name: Name) -> str:
    """A possibly schema-qualified name, each part through `ident`."""
    return f"{ident(name.schema)}.{ident(name.name)}" if name.schema else ident(name.name)


def literal(text: str) -> str:
    """A string literal on one line, read the same whatever `standard_conforming_strings`
    says: an E'' string with escapes when the text has a backslash, a line break or
    another control character; PlanError on a NUL, which text cannot hold."""
    if "\0" in text:
        raise PlanError(f"{shown(text)} contains a NUL character, which PostgreSQL refuses")
    if "\\" not in text and shown(text) == text:
        return "'" + text.replace("'", "''") + "'"
    return "E'" + "".join(_e_escape(ch) for ch in text) + "'"


def _e_escape(ch: str) -> str:
    """One character inside an E'' string."""
    if ch in ("\\", "'"):
        return ch * 2
    if shown(ch) == ch:
        return ch
    code = ord(ch)
    return (
        f"\\x{code:02x}"
        if code < 0x80
        else f"\\u{code:04x}"
        if code <= 0xFFFF
        else f"\\U{code:08x}"
    )


def dollar_quoted(body: str, tag: str) -> str:
    """`$tag$body$tag$` with a tag (`tag`, `tag_1`, `tag_2`…) that nothing in the body
    can close early."""
    chosen, n = tag, 0
    while (body + f"${chosen}$").find(f"${chosen}$") != len(body):
        n += 1
        chosen = f"{tag}_{n}"
    return f"${chosen}${body}${chosen}$"


_EXECUTE = re.compile(r"\bEXECUTE\b", re.IGNORECASE)
_PLANNED_DYNAMIC_SQL = (
    "-- migralint: ignore dynamic-sql-not-checked -- built by the plan from the live "
    "catalog, names quoted by format() or regclass\n"
)


def do_block(body: str, tag: str) -> str:
    """`DO $tag$ … $tag$;` around a PL/pgSQL block; one that EXECUTEs what it builds says
    why dynamic-sql-not-checked does not apply to it. A block that declares variables
    resolves a name its queries share with a column to the column
    (`#variable_conflict use_column`): a table's column may be called `value` or `row`."""
    if body.lstrip().startswith("DECLARE"):
        body = "#variable_conflict use_column\n" + body.lstrip()
    block = f"DO {dollar_quoted(chr(10) + body.strip(chr(10)) + chr(10), tag)};"
    return _PLANNED_DYNAMIC_SQL + block if _EXECUTE.search(body) else block


def slug(*parts: str) -> str:
    """File-name words from names: `User Accounts`, `Full Name` → `user_accounts_full_name`."""
    return re.sub(r"\W+", "_", "_".join(parts)).strip("_").lower()


def no_sql(note: str) -> str:
    """The body of a migration with nothing to run: a comment and `SELECT 1;`."""
    return f"{comment(note)}\nSELECT 1;"


CODE_ONLY = no_sql("Code-only step: nothing to run.")
NOTHING = no_sql("Nothing to undo.")


def duration(text: str, option: str = "--lock-timeout") -> str:
    """A PostgreSQL duration setting, checked and re-rendered: `2s`, ` 500 ms`, `1.5min`
    → `'2s'`, `'500ms'`, `'90000ms'`; a bare number counts milliseconds. PlanError unless
    it is a positive duration PostgreSQL accepts."""
    number, unit = _duration(text, option)
    if "." not in number:
        return f"'{int(number)}{unit}'"
    return f"'{duration_ms(text, option)}ms'"


def duration_ms(text: str, option: str = "--lock-timeout") -> int:
    """The milliseconds of a duration `duration` accepts."""
    number, unit = _duration(text, option)
    return round(float(number) * _UNIT_MS[unit])


def _duration(text: str, option: str) -> tuple[str, str]:
    m = re.fullmatch(r"\s*(\d{1,12}(?:\.\d{1,6})?)\s*(ms|s|min|h|d)?\s*", text)
    if m is None:
        raise PlanError(
            f"{option} {shown(text)!r}: give a duration, a number and a unit (ms, s, min, h, "
            "d), e.g. 2s or 500ms"
        )
    number, unit = m[1], m[2] or "ms"
    if not 0 < round(float(number) * _UNIT_MS[unit]) <= _MAX_TIMEOUT_MS:
        raise PlanError(f"{option} {text.strip()!r}: must be between 1ms and 24 days")
    return number, unit


def lock_timeout(value: str) -> str:
    """`SET LOCAL lock_timeout`, for a phase that runs in a transaction: it ends with the
    transaction, so it never leaks into the next migration on the same connection."""
    return f"SET LOCAL lock_timeout = {duration(value)};"


def checked_batch_size(value: int) -> int:
    """The rows per backfill batch, checked."""
    if not 1 <= value <= MAX_BATCH_SIZE:
        raise PlanError(f"--batch-size {value}: give a number of rows from 1 to {MAX_BATCH_SIZE}")
    return value


def generated_name(*parts: str) -> str:
    """A name made of parts: joined with `_`, plus a hash of the parts when a part has a
    `_` of its own (`a_b`+`c` and `a`+`b_c` must differ) or the name is over 63 bytes."""
    parts = tuple(p.strip('"') for p in parts)
    name = "_".join(parts)
    if "_" not in "".join(parts) and len(name.encode()) <= MAX_IDENTIFIER:
        return name
    digest = hashlib.sha1("\0".join(parts).encode()).hexdigest()[:8]
    head = name.encode()[: MAX_IDENTIFIER - 9].decode(errors="ignore")
    return f"{head}_{digest}"


def differs(a: str, b: str, text_only: bool = False) -> str:
    """SQL true when values `a` and `b` are not exactly the same: `=` calls equal some
    values that are not (interval '30 days' and '1 mon', numeric 1.5 and 1.50, -0.0,
    citext, a nondeterministic collation), so their text is compared too, byte for byte
    (COLLATE "C"). With `text_only` (json, which has no `=`), only the text."""
    text = f'{a}::text COLLATE "C" IS DISTINCT FROM {b}::text COLLATE "C"'
    return f"({text})" if text_only else f"({a} IS DISTINCT FROM {b} OR {text})"


def sync_function(table: Name, function: Name, old: str, new: str) -> str:
    """A BEFORE trigger function keeping `old` and `new` equal in both directions.

    UPDATE: the side that changed (`differs`: exactly, not by `=`) wins over the stale
    other. Any other write (an INSERT,
    an UPDATE of neither side or of both) fills a NULL side from the other, so every
    write leaves a row that the NOT VALID `CHECK (… IS NOT NULL)` of the expand accepts,
    even a row the backfill has not reached. An INSERT leaving the two sides different
    wrote one side and left the other its default: a side holding its column's constant
    default (`_constant_default`) takes the other's value. A BEFORE trigger only edits
    NEW, so it cannot recurse.
    """
    o, n = f"NEW.{ident(old)}", f"NEW.{ident(new)}"
    po, pn = f"OLD.{ident(old)}", f"OLD.{ident(new)}"
    t = qualified(table)
    body = f"""
{SYNC_MARKER}
DECLARE
  default_query text;
  old_default {t}.{ident(old)}%TYPE;
  new_default {t}.{ident(new)}%TYPE;
BEGIN
  IF TG_OP = 'INSERT' AND {differs(o, n)} AND {o} IS NOT NULL AND {n} IS NOT NULL THEN
{_constant_default(old, "old_default")}
{_constant_default(new, "new_default")}
    IF NOT {differs(o, "old_default")} AND {differs(n, "new_default")} THEN
      {o} := {n};
    ELSIF NOT {differs(n, "new_default")} AND {differs(o, "old_default")} THEN
      {n} := {o};
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF {differs(n, pn)} AND NOT {differs(o, po)} THEN
      {o} := {n};
      RETURN NEW;
    ELSIF {differs(o, po)} AND NOT {differs(n, pn)} THEN
      {n} := {o};
      RETURN NEW;
    END IF;
  END IF;
  IF {n} IS NULL THEN
    {n} := {o};
  ELSIF {o} IS NULL THEN
    {o} := {n};
  END IF;
  RETURN NEW;
END
"""
    return (
        f"CREATE OR REPLACE FUNCTION {qualified(function)}() RETURNS trigger\n"
        f"LANGUAGE plpgsql AS {dollar_quoted(body, 'sync')};"
    )


def _constant_default(column: str, variable: str) -> str:
    """PL/pgSQL in a trigger: `variable` := the default of `column` when it calls only
    immutable functions and operators (a constant, cast or not: evaluating it has no
    effect, and gives what the INSERT got), else left NULL (nextval(), random(), now())."""
    return f"""    default_query := NULL;
    SELECT 'SELECT ' || pg_get_expr(d.adbin, d.adrelid) INTO default_query
      FROM pg_attrdef AS d JOIN pg_attribute AS a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
      WHERE d.adrelid = TG_RELID AND a.attname = {literal(column)}
        AND NOT EXISTS (
          SELECT 1 FROM regexp_matches(d.adbin::text, '[:](op)?funcid ([0-9]+)', 'g') AS m
          JOIN pg_proc AS p ON p.oid = m[2]::oid WHERE p.provolatile <> 'i')
        AND d.adbin::text !~ '[{{]SQLVALUEFUNCTION';
    IF default_query IS NOT NULL THEN
      EXECUTE default_query INTO {variable};
    END IF;"""


# Headers: what the sync trigger and a backfill mean for the table's own triggers.
BACKFILL_FIRES_TRIGGERS = (
    "Each filled row is an UPDATE: the table's own UPDATE triggers (updated_at, audit) fire "
    "for it,\nso the expand refused a table with any (but UPDATE OF triggers) unless "
    "planned with --fire-triggers."
)
# The first line of every sync trigger function's body: how `update_triggers_check` tells
# a plan's own triggers (harmless to a backfill) from the table's.
SYNC_MARKER = "-- migralint sync trigger: keeps two columns equal until the contract"


def triggers_note(fire_triggers: bool) -> str:
    """The expand's words on the table's triggers on UPDATE and the backfill."""
    if fire_triggers:
        return (
            "Planned with --fire-triggers: the table's triggers on UPDATE fire for every "
            "backfilled row."
        )
    return (
        "It refuses a table with triggers on UPDATE (plan with --fire-triggers to accept "
        "that the backfill\nfires them for every row)."
    )


FIRE_TRIGGERS_HELP = (
    "Run the backfill although the table has triggers firing on UPDATE (they fire for every "
    "filled row); without it the expand refuses such a table before changing anything."
)

FIRED_BY_BACKFILL = (
    ": the backfill's UPDATE of every row would fire them (an updated_at or audit trigger "
    "changes or records every row, a trigger raising an error stops the backfill after this "
    "expand shipped); plan again with --fire-triggers to accept that, or make the change by hand"
)


def update_triggers_check(table: Name, fire_triggers: bool) -> str:
    """A DO block refusing, before the expand changes anything, a table with enabled
    triggers that the backfill's UPDATE would fire (other than plans' own sync triggers,
    and `UPDATE OF` triggers, whose columns the backfill does not set): an updated_at or
    audit trigger would change or record every row, which the change it replaces does not,
    and a guard trigger would stop the backfill after the expand shipped. The block and a
    blank line; nothing with `fire_triggers` (the user accepts it)."""
    if fire_triggers:
        return ""
    rel = f"{literal(qualified(table))}::regclass"
    body = f"""DECLARE
  found text;
BEGIN
  SELECT string_agg(quote_ident(g.tgname), ', ' ORDER BY g.tgname) INTO found
    FROM pg_trigger AS g JOIN pg_proc AS p ON p.oid = g.tgfoid
    WHERE g.tgrelid = {rel} AND NOT g.tgisinternal AND g.tgenabled IN ('O', 'A')
      AND g.tgtype & 16 <> 0 AND cardinality(g.tgattr::int2[]) = 0
      AND NOT (p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql')
        AND starts_with(p.prosrc, {literal(chr(10) + SYNC_MARKER)}));
  IF found IS NOT NULL THEN
    RAISE EXCEPTION USING MESSAGE = {literal(f"migralint: {table} has triggers on UPDATE: ")}
      || found || {literal(FIRED_BY_BACKFILL)};
  END IF;
END"""
    return do_block(body, "triggers") + "\n\n"


def trigger_order_note(trigger: str, column: str) -> str:
    """The expand's warning: BEFORE triggers fire in name order, so one sorting after the
    sync trigger (normalising `column`) changes only the side it was written to."""
    return (
        f"BEFORE triggers fire in name order: one of the table's own that sorts after "
        f"{trigger} and edits {column}\n(normalising it) runs after the copy is made, so "
        "the copy keeps the value as written: check them first."
    )


def create_trigger(table: Name, trigger: str, function: Name) -> str:
    return (
        f"DROP TRIGGER IF EXISTS {ident(trigger)} ON {qualified(table)};\n"
        f"CREATE TRIGGER {ident(trigger)} BEFORE INSERT OR UPDATE ON {qualified(table)}\n"
        f"  FOR EACH ROW EXECUTE FUNCTION {qualified(function)}();"
    )


def drop_trigger(table: Name, trigger: str, function: Name) -> str:
    return (
        f"DROP TRIGGER IF EXISTS {ident(trigger)} ON {qualified(table)};\n"
        f"DROP FUNCTION IF EXISTS {qualified(function)}();"
    )


def backfill(
    table: Name,
    key: str,
    target: str,
    source_expression: str,
    batch_size: int,
    commit: bool,
    once: bool = False,
) -> str:
    """A keyset-batched UPDATE of `target` from an expression, guarded so a re-run only
    touches rows still empty. With `commit`, each batch commits (run it outside a
    transaction block); without, the loop runs in the caller's transaction.

    A row is pending while `target` is NULL and the expression is not (a source column
    that is NULL leaves nothing to copy). With `once`, while `target` is NULL, full stop:
    the expression is evaluated exactly once per row, in the SET alone, as `ADD COLUMN …
    DEFAULT` evaluates a volatile default (nextval(), random()); a row it fills with NULL
    then fails the final count.

    It refuses to start unless `key` is a NOT NULL column with a unique index of its own
    (a primary key): rows with a NULL key would be skipped, and without an index every
    batch scans the table. Batches follow the key's btree order (any orderable type: an
    integer, a uuid, text). Each batch runs with `row_security = off`, so a table under
    (FORCE) ROW LEVEL SECURITY fails loudly instead of showing no rows; a batch that
    meets a deadlock or a lock timeout is retried with a growing pause. The backfill
    ends by counting the rows still without a target value and fails if there are any.
    """
    t, k, c = qualified(table), ident(key), ident(target)
    limit = checked_batch_size(batch_size)
    commit_line = "\n    COMMIT;" if commit else ""
    pending = f"src.{c} IS NULL" + ("" if once else f" AND ({source_expression}) IS NOT NULL")
    no_key = (
        f"migralint backfill: {table} has no primary key or unique NOT NULL column {key} "
        "to batch by; plan again with --key naming one"
    )
    body = f"""
#variable_conflict use_column
<<migralint>>
DECLARE
  last_key {t}.{k}%TYPE;
  batch_end {t}.{k}%TYPE;
  tries int := 0;
  rows_left bigint;
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_index AS i
    JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
    WHERE i.indrelid = {literal(t)}::regclass AND i.indisunique AND i.indisvalid
      AND i.indnatts = 1 AND i.indpred IS NULL AND a.attnotnull
      AND a.attname = {literal(key)}
  ) THEN
    RAISE EXCEPTION USING MESSAGE = {literal(no_key)};
  END IF;
  LOOP
    PERFORM set_config('row_security', 'off', true);
    BEGIN
      SELECT b.{k} INTO migralint.batch_end FROM (
        SELECT src.{k} FROM {t} AS src
        WHERE migralint.last_key IS NULL OR src.{k} > migralint.last_key
        ORDER BY src.{k}
        LIMIT {limit}
      ) AS b
      ORDER BY b.{k} DESC
      LIMIT 1;
      EXIT WHEN migralint.batch_end IS NULL;
      UPDATE {t} AS src SET {c} = {source_expression}
      WHERE (migralint.last_key IS NULL OR src.{k} > migralint.last_key)
        AND src.{k} <= migralint.batch_end AND {pending};
      migralint.last_key := migralint.batch_end;
      migralint.tries := 0;
    EXCEPTION WHEN deadlock_detected OR lock_not_available THEN
      migralint.tries := migralint.tries + 1;
      IF migralint.tries >= {BACKFILL_TRIES} THEN
        RAISE;
      END IF;
      PERFORM pg_sleep(0.1 * 2 ^ migralint.tries);
    END;{commit_line}
  END LOOP;
  PERFORM set_config('row_security', 'off', true);
  SELECT count(*) INTO migralint.rows_left FROM {t} AS src WHERE {pending};
  IF migralint.rows_left > 0 THEN
    RAISE EXCEPTION USING MESSAGE = {literal("migralint backfill: ")} || migralint.rows_left
      || {literal(f" rows of {table} still have no {target}; run the backfill again")};
  END IF;
END
"""
    return do_block(body, "backfill")


def guarded_constraint(table: Name, constraint: str, statement: str) -> str:
    """Run an ADD CONSTRAINT only when the constraint does not exist yet (re-runnable)."""
    body = f"""
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_constraint
    WHERE conname = {literal(constraint)} AND conrelid = {literal(qualified(table))}::regclass
  ) THEN
    {statement};
  END IF;
END
"""
    return do_block(body, "guard")
