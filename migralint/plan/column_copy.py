"""Copy a column exactly, at run time, from the live catalog: what rename-column and
change-column-type share.

A plan cannot see production, and the migrations it reads may not say everything (a
`serial`, an identity, a collation, a default added by hand). So the column a plan adds
is built in the database from the column it replaces, inside the migration:

- `start_copy` (expand; the contract's down the other way round) refuses what cannot be
  copied (a generated column, a type without `=`, a target name already taken by
  another column, a table with inheritance children or partitions, whose rows the sync
  trigger would not see), adds the target with the source's exact type (`format_type`, so a
  `serial` becomes `integer`) and collation, or with the new type, `DEFAULT NULL` (a
  domain's default would fill every row, and the backfill fills only NULLs), and adds
  `CHECK (target IS NOT NULL) NOT VALID` when the source is NOT NULL.
- `finish_move` (contract; the expand's down the other way round) validates that CHECK
  and sets NOT NULL without a scan under ACCESS EXCLUSIVE, then moves the default, the
  ownership of a `serial`'s sequence or the identity (with its sequence's options and
  position) from the source to the target, so the source can be dropped; a source without
  a default leaves the target none (a domain's default applies again).

Both are idempotent and read only the catalog, so a re-run, or the down after a
rolled-back up, does exactly what is still missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

from migralint.plan import sql
from migralint.plan.constraint_steps import KEPT_INVALID_IS_CHECKED
from migralint.plan.model import Phase, PlanError, shown
from migralint.sql.names import identifier, table_name
from migralint.sql.ops import Name
from migralint.sql.split import split_statements

DEPENDENTS = (
    ": the plan does not carry these over to {target} (the contract would drop them with "
    "the column, or fail to drop it); drop them first and re-create them on {target} after "
    "the expand, or make the change by hand"
)
BLOCKING = (
    ": the contract could not drop the column while they use it; drop them first and "
    "re-create them on {target} after the expand, or make the change by hand"
)


def not_null_check(table: Name, column: str) -> str:
    """The name of the CHECK (column IS NOT NULL) that carries NOT NULL over."""
    return sql.generated_name(table.name, column, "not_null")


def _fail(message: str) -> str:
    return f"RAISE EXCEPTION USING MESSAGE = {sql.literal('migralint: ' + message)};"


def _column(variable: str, rel: str, name: str) -> str:
    return (
        f"SELECT * INTO {variable} FROM pg_attribute\n"
        f"  WHERE attrelid = {rel} AND attname = {sql.literal(name)} AND attnum > 0 "
        "AND NOT attisdropped;"
    )


def start_copy(
    table: Name,
    source: str,
    target: str,
    trigger: str,
    target_type: str | None = None,
    target_collation: str | None = None,
    dependents: Dependents = "refuse",
    carried: tuple[CarriedIndex, ...] = (),
    copies_keys: bool = True,
    checks: tuple[CarriedCheck, ...] = (),
    json_column: str | None = None,
) -> str:
    """Add `target` beside `source`: the source's exact type and collation, or
    `target_type` with `target_collation` (default: the type's, as ALTER COLUMN … TYPE
    gives it).

    A re-run after this plan's own expand (the sync trigger exists) does nothing; a
    `target` that exists without it is another column, and reusing it would lose data.
    `dependents` "refuse": it refuses a source that indexes, constraints (other than NOT
    NULL), generated columns, views or policies depend on: the plan does not carry them,
    and the contract would drop them with the column (or fail to); the `carried` indexes
    excepted. "blocking" (replace-column, whose old column's indexes and constraints go
    with it as in the change it replaces): only what would make the contract's DROP
    COLUMN fail (generated columns, views, policies, other tables' foreign keys).
    "ignore": a down, which drops nothing.
    With `copies_keys`, the source's foreign keys are copied onto the target too.
    The sync trigger compares each column's old and new value: the type of each needs an
    `=` operator, except `json_column`, which the trigger compares as text (json keeps
    its text as written) and which must then be json.
    """
    t = sql.qualified(table)
    rel = f"{sql.literal(t)}::regclass"
    shown = f"{table}.{target}"
    if target_type is None:
        column_type = "format_type(src.atttypid, src.atttypmod)"
        collation = (
            "  IF src.attcollation <> 0 AND src.attcollation <> "
            "(SELECT typcollation FROM pg_type WHERE oid = src.atttypid) THEN\n"
            "    collate_clause := ' COLLATE ' || src.attcollation::regcollation::text;\n"
            "  END IF;\n"
        )
    else:
        column_type = sql.literal(target_type)
        collation = (
            f"  collate_clause := {sql.literal(' COLLATE ' + sql.ident(target_collation))};\n"
            if target_collation
            else ""
        )
    identity_check = (
        "  IF src.attidentity <> '' AND dst.atttypid NOT IN "
        "('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN\n"
        "    "
        + _fail(
            f"{table}.{source} is an identity column and {target_type} cannot hold an "
            "identity: convert it by hand"
        )
        + "\n  END IF;\n"
        # The contract moves the default over: ALTER COLUMN … TYPE converts it too, and
        # fails when it cannot; so does this expand, before anything ships.
        "  IF src.atthasdef AND src.attidentity = '' THEN\n"
        "    BEGIN\n"
        "      EXECUTE format('EXPLAIN INSERT INTO %s (%I) SELECT %s', "
        f"{rel}, {sql.literal(target)},\n"
        "        (SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef\n"
        f"         WHERE adrelid = {rel} AND adnum = src.attnum));\n"
        "    EXCEPTION WHEN datatype_mismatch OR undefined_function OR cannot_coerce THEN\n"
        "      "
        + _fail(
            f"the default of {table}.{source} cannot be converted to {target_type}: drop it "
            "first, or change the column by hand"
        )
        + "\n    END;\n  END IF;\n"
        if target_type is not None
        else ""
    )
    generated = _fail(
        f"{table}.{source} is a generated column: the plan cannot copy it; drop and "
        "re-create it (ADD COLUMN … GENERATED ALWAYS AS (…) STORED) instead"
    )
    children = _fail(
        f"{table} has inheritance children or partitions: their rows would not pass through "
        "the sync trigger (it is on this table alone); change the column by hand"
    )
    taken = _fail(
        f"column {shown} already exists: refusing to reuse it (its rows would not be "
        "copied); pick another name, or drop it if a failed run of this plan left it"
    )
    names = ", ".join(sql.literal(i.name) for i in carried)
    excepted = (
        f"\n      AND NOT coalesce(c.relkind = 'i' AND c.relname IN ({names}), false)"
        f"\n      AND NOT coalesce(k.contype = 'u' AND k.conname IN ({names}), false)"
        if carried
        else ""
    )
    if checks:
        listed = ", ".join(sql.literal(c.name) for c in checks)
        excepted += f"\n      AND NOT coalesce(k.contype = 'c' AND k.conname IN ({listed}), false)"
    # The table's own foreign keys on the column are copied (a key referencing the
    # table itself is refused there); keys of other tables referencing it are not.
    excepted += (
        f"\n      AND NOT coalesce(k.contype = 'f' AND k.conrelid = {rel}"
        " AND src.attnum = ANY(k.conkey), false)"
    )
    users = _users_check(table, rel, source, target, excepted, dependents)
    attributes = _copy_attributes(rel, target, same_type=target_type is None)
    not_empty = (
        f"{REJECTS_NULL}{table}.{target} cannot be added empty beside {source}, to be filled "
        "by the backfill (every existing row, and every INSERT of release N-1, would break "
        "it); change the column by hand"
    )
    body = f"""DECLARE
  src pg_attribute;
  dst pg_attribute;
  collate_clause text := '';
  used_by text;
  fk record;
  fk_columns text;
  copy_columns text;
  copy_name text;
  privilege record;
BEGIN
  {_column("src", rel, source)}
  IF NOT FOUND THEN
    {_fail(f"{table} has no column {source}")}
  END IF;
  IF src.attgenerated <> '' THEN
    {generated}
  END IF;
  IF EXISTS (SELECT 1 FROM pg_inherits WHERE inhparent = {rel}) THEN
    {children}
  END IF;
{users}  IF EXISTS (
    SELECT 1 FROM pg_attribute
    WHERE attrelid = {rel} AND attname = {sql.literal(target)} AND NOT attisdropped
  ) THEN
    IF EXISTS (
      SELECT 1 FROM pg_trigger WHERE tgrelid = {rel} AND tgname = {sql.literal(trigger)}
    ) THEN
      RETURN;  -- this plan's own expand already ran
    END IF;
    {taken}
  END IF;
{accepts_null(column_type, not_empty)}{_comparable(table, "src", source, json_column)}
{collation}  -- DEFAULT NULL overrides a domain's default, which would otherwise fill every row
  -- (and the backfill fills only NULLs); finish_move gives the target its default.
  EXECUTE format('ALTER TABLE %s ADD COLUMN %I %s%s DEFAULT NULL', {rel},
    {sql.literal(target)}, {column_type}, collate_clause);
  {_column("dst", rel, target)}
{_comparable(table, "dst", target, json_column)}{attributes}{identity_check}  IF src.attnotnull THEN
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (%I IS NOT NULL) NOT VALID',
      {rel}, {sql.literal(not_null_check(table, target))}, {sql.literal(target)});
  END IF;
{_copy_foreign_keys(table, rel, source, target) if copies_keys else ""}
END"""
    return sql.do_block(body, "copy")


Dependents = Literal["refuse", "blocking", "ignore"]


def _users_check(
    table: Name, rel: str, source: str, target: str, excepted: str, dependents: Dependents
) -> str:
    """PL/pgSQL (after `src` is read) refusing the objects that use `source` (see
    `start_copy`), named; a generated column is named as such, the source's own default
    and sequence are not users."""
    if dependents == "ignore":
        return ""
    kinds, why = ("'n', 'a'", DEPENDENTS) if dependents == "refuse" else ("'n'", BLOCKING)
    return f"""  SELECT string_agg(DISTINCT CASE WHEN g.attname IS NOT NULL
        THEN format('generated column %I', g.attname)
        ELSE pg_describe_object(d.classid, d.objid, d.objsubid) END, ', ')
    INTO used_by FROM pg_depend AS d
    LEFT JOIN pg_class AS c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
    LEFT JOIN pg_constraint AS k ON d.classid = 'pg_constraint'::regclass AND k.oid = d.objid
    LEFT JOIN pg_attrdef AS ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid
    LEFT JOIN pg_attribute AS g ON g.attrelid = ad.adrelid AND g.attnum = ad.adnum
      AND g.attgenerated <> ''
    WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = {rel}
      AND d.refobjsubid = src.attnum AND d.deptype IN ({kinds})
      AND (ad.oid IS NULL OR g.attname IS NOT NULL) AND c.relkind IS DISTINCT FROM 'S'
      AND k.contype IS DISTINCT FROM 'n'{excepted};
  IF used_by IS NOT NULL THEN
    RAISE EXCEPTION USING MESSAGE = {sql.literal(f"migralint: {table}.{source} is used by ")}
      || used_by || {sql.literal(why.format(target=target))};
  END IF;
"""


def accepts_null(column_type: str, refusal: str) -> str:
    """PL/pgSQL refusing a type (`column_type`, an SQL text expression) that rejects NULL
    (a domain with NOT NULL, or a CHECK failing on NULL): `'the type ' || type || refusal`.
    A column the plan adds empty, to be filled later, cannot have it: every existing row,
    and every INSERT of release N-1 (which omits the column), would break it."""
    return f"""  BEGIN
    EXECUTE format('SELECT NULL::%s', {column_type});
  EXCEPTION WHEN not_null_violation OR check_violation THEN
    RAISE EXCEPTION USING MESSAGE = 'migralint: the type ' || {column_type}
      || {sql.literal(refusal)};
  END;
"""


REJECTS_NULL = " does not accept NULL (a domain with NOT NULL or a CHECK rejecting NULL): "


FROM_COLLATION_HELP = (
    "The old column's collation, e.g. C (default: its type's); the downs re-create the column "
    "with it, and the expand refuses a column whose collation is another."
)


def collation_check(table: Name, column: str, collation: str | None) -> str:
    """A DO block refusing, before anything changes, a `column` whose collation is not
    `collation` (None: its type's default): a down re-creating the column with it would
    silently change how the column sorts and compares."""
    rel = f"{sql.literal(sql.qualified(table))}::regclass"
    expected = (
        f"{sql.literal(sql.ident(collation))}::regcollation"
        if collation
        else "(SELECT typcollation FROM pg_type WHERE oid = a.atttypid)"
    )
    planned = f"COLLATE {sql.ident(collation)}" if collation else "its type's default collation"
    refusal = (
        f", but the downs would re-create it with {planned}: plan it again with `migralint plan "
        "change-column-type|replace-column … --from-collation` naming it"
    )
    body = f"""DECLARE
  found text;
BEGIN
  SELECT a.attcollation::regcollation::text INTO found FROM pg_attribute AS a
    WHERE a.attrelid = {rel} AND a.attname = {sql.literal(column)} AND NOT a.attisdropped
      AND a.attcollation <> 0 AND a.attcollation <> {expected};
  IF found IS NOT NULL THEN
    RAISE EXCEPTION USING MESSAGE = {sql.literal(f"migralint: {table}.{column} has COLLATE ")}
      || found || {sql.literal(refusal)};
  END IF;
END"""
    return sql.do_block(body, "collation")


def _copy_attributes(rel: str, target: str, same_type: bool) -> str:
    """PL/pgSQL giving the column in `dst` the comment, column-level privileges and
    statistics target of the one in `src`, and with `same_type` its STORAGE (ALTER
    COLUMN … TYPE resets it to the new type's)."""
    storage = """  IF src.attstorage <> dst.attstorage THEN
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET STORAGE %s', {rel}, {target},
      CASE src.attstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL' WHEN 'm' THEN 'MAIN'
        ELSE 'EXTENDED' END);
  END IF;
"""
    copies = """  IF col_description({rel}, src.attnum) IS NOT NULL THEN
    EXECUTE format('COMMENT ON COLUMN %s.%I IS %L', {rel}, {target},
      col_description({rel}, src.attnum));
  END IF;
  IF src.attstattarget >= 0 THEN
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET STATISTICS %s', {rel}, {target},
      src.attstattarget);
  END IF;
  FOR privilege IN SELECT * FROM aclexplode(src.attacl) LOOP
    EXECUTE format('GRANT %s (%I) ON %s TO %s%s', privilege.privilege_type, {target}, {rel},
      CASE WHEN privilege.grantee = 0 THEN 'PUBLIC' ELSE privilege.grantee::regrole::text END,
      CASE WHEN privilege.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
  END LOOP;
"""
    return (copies + (storage if same_type else "")).format(rel=rel, target=sql.literal(target))


def _comparable(table: Name, variable: str, column: str, json_column: str | None) -> str:
    """PL/pgSQL refusing the column in `variable` unless the sync trigger can compare its
    values: json when it is `json_column` (compared as text), else a type with `=`."""
    if column == json_column:
        not_json = _fail(
            f"{table}.{column} was planned as json (compared as text) but is not json: plan "
            "again with its type"
        )
        return f"""  IF {variable}.atttypid <> 'json'::regtype THEN
    {not_json}
  END IF;
"""
    no_equality = _fail(
        f"the type of {table}.{column} has no = operator, so the sync trigger cannot compare "
        "values: change the column by hand"
    )
    return f"""  BEGIN
    EXECUTE format('SELECT NULL::%s IS DISTINCT FROM NULL::%1$s',
      format_type({variable}.atttypid, {variable}.atttypmod));
  EXCEPTION WHEN undefined_function THEN
    {no_equality}
  END;
"""


COPY_OF = "migralint: copy of "


def _copy_foreign_keys(table: Name, rel: str, source: str, target: str) -> str:
    """PL/pgSQL: each foreign key of `source` copied onto `target`, NOT VALID (new writes
    are checked from now on; the contract validates it), under a temporary name; its
    comment names the original, whose name it takes once the original is gone. The
    definition is PostgreSQL's own (pg_get_constraintdef) with the column list rebuilt,
    so ON DELETE, MATCH and DEFERRABLE are kept. A NOT VALID original (rows may break it)
    and a key referencing its own table are refused. Runs after `src` is read."""
    not_valid = _fail(
        f"a foreign key of {table}.{source} is NOT VALID: the copy's backfill would fail on "
        "the rows it does not hold for; validate it first"
    )
    own = _fail(
        f"a foreign key of {table}.{source} references {table} itself: change the column by hand"
    )
    return f"""  FOR fk IN
    SELECT k.oid, k.conname, k.conkey, k.convalidated, k.confrelid,
      pg_get_constraintdef(k.oid) AS definition
    FROM pg_constraint AS k
    WHERE k.conrelid = {rel} AND k.contype = 'f' AND src.attnum = ANY(k.conkey)
      AND NOT EXISTS (
        SELECT 1 FROM pg_constraint AS c
        WHERE c.conrelid = {rel}
          AND obj_description(c.oid, 'pg_constraint') = {sql.literal(COPY_OF)} || k.conname)
  LOOP
    IF NOT fk.convalidated THEN
      {not_valid}
    END IF;
    IF fk.confrelid = {rel} THEN
      {own}
    END IF;
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY n.i),
      string_agg(quote_ident(CASE WHEN a.attnum = src.attnum THEN {sql.literal(target)}
        ELSE a.attname END), ', ' ORDER BY n.i)
      INTO fk_columns, copy_columns
      FROM unnest(fk.conkey) WITH ORDINALITY AS n(attnum, i)
      JOIN pg_attribute AS a ON a.attrelid = {rel} AND a.attnum = n.attnum;
    copy_name := left(fk.conname, 50) || '_' || left(md5(fk.conname || {sql.literal(target)}), 8);
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I FOREIGN KEY (%s)%s NOT VALID', {rel},
      copy_name, copy_columns,
      substr(replace(fk.definition, ' NOT VALID', ''),
        length('FOREIGN KEY (' || fk_columns || ')') + 1));
    EXECUTE format('COMMENT ON CONSTRAINT %I ON %s IS %L', copy_name, {rel},
      {sql.literal(COPY_OF)} || fk.conname);
  END LOOP;"""


def validate_copies(rel: str) -> str:
    """PL/pgSQL: VALIDATE the foreign-key copies (a scan under SHARE UPDATE EXCLUSIVE;
    run before any stronger lock of the same transaction)."""
    return f"""  FOR fk IN
    SELECT conname FROM pg_constraint
    WHERE conrelid = {rel} AND NOT convalidated
      AND starts_with(obj_description(oid, 'pg_constraint'), {sql.literal(COPY_OF)})
  LOOP
    EXECUTE format('ALTER TABLE %s VALIDATE CONSTRAINT %I', {rel}, fk.conname);
  END LOOP;"""


def name_copies(table: Name) -> str:
    """Each foreign-key copy takes its original's name once the original is gone (with
    the column it was on); re-runnable."""
    rel = f"{sql.literal(sql.qualified(table))}::regclass"
    body = f"""DECLARE
  fk record;
BEGIN
  FOR fk IN
    SELECT c.conname, substr(obj_description(c.oid, 'pg_constraint'),
      {len(COPY_OF) + 1}) AS original
    FROM pg_constraint AS c
    WHERE c.conrelid = {rel}
      AND starts_with(obj_description(c.oid, 'pg_constraint'), {sql.literal(COPY_OF)})
  LOOP
    IF NOT EXISTS (
      SELECT 1 FROM pg_constraint WHERE conrelid = {rel} AND conname = fk.original
    ) THEN
      EXECUTE format('COMMENT ON CONSTRAINT %I ON %s IS NULL', fk.conname, {rel});
      EXECUTE format('ALTER TABLE %s RENAME CONSTRAINT %I TO %I', {rel}, fk.conname,
        fk.original);
    END IF;
  END LOOP;
END"""
    return sql.do_block(body, "names")


def finish_move(table: Name, source: str, target: str) -> str:
    """Give `target` what only `source` has: NOT NULL (through the validated CHECK that
    `start_copy` added), then the identity, or the default and its sequence's ownership.
    Nothing to do once `source` is gone (a re-run) or before `target` exists."""
    t = sql.qualified(table)
    rel = f"{sql.literal(t)}::regclass"
    check = sql.literal(not_null_check(table, target))
    body = f"""DECLARE
  src pg_attribute;
  dst pg_attribute;
  seq text;
  spec pg_sequence;
  last_value bigint;
  called boolean;
  type_max numeric;
  type_min numeric;
  fk record;
BEGIN
  {_column("src", rel, source)}
  IF NOT FOUND THEN
    RETURN;
  END IF;
  {_column("dst", rel, target)}
  IF NOT FOUND THEN
    RETURN;  -- the expand did not run: nothing to move, and `retire` drops nothing
  END IF;
{validate_copies(rel)}
  IF src.attnotnull AND NOT dst.attnotnull THEN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = {rel} AND conname = {check}) THEN
      EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (%I IS NOT NULL) NOT VALID',
        {rel}, {check}, {sql.literal(target)});
    END IF;
{_set_not_null(rel, check, sql.literal(target))}  END IF;
  EXECUTE format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I', {rel}, {check});
  seq := pg_get_serial_sequence({sql.literal(t)}, {sql.literal(source)});
  IF src.attidentity <> '' THEN
    SELECT * INTO spec FROM pg_sequence WHERE seqrelid = seq::regclass;
    EXECUTE format('SELECT last_value, is_called FROM %s', seq) INTO last_value, called;
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP IDENTITY', {rel}, {sql.literal(source)});
    -- MINVALUE / MAXVALUE only when not the sequence type's defaults, which follow the
    -- column's type as ALTER COLUMN … TYPE makes them follow.
    type_max := CASE spec.seqtypid WHEN 'smallint'::regtype THEN 32767
      WHEN 'integer'::regtype THEN 2147483647 ELSE 9223372036854775807 END;
    type_min := -type_max - 1;
    EXECUTE format(
      'ALTER TABLE %s ALTER COLUMN %I ADD GENERATED %s AS IDENTITY (SEQUENCE NAME %s '
      'INCREMENT BY %s %s %s START WITH %s CACHE %s %s)',
      {rel}, {sql.literal(target)},
      CASE src.attidentity WHEN 'a' THEN 'ALWAYS' ELSE 'BY DEFAULT' END, seq, spec.seqincrement,
      CASE WHEN spec.seqmin = CASE WHEN spec.seqincrement > 0 THEN 1 ELSE type_min END
        THEN 'NO MINVALUE' ELSE 'MINVALUE ' || spec.seqmin END,
      CASE WHEN spec.seqmax = CASE WHEN spec.seqincrement > 0 THEN type_max ELSE -1 END
        THEN 'NO MAXVALUE' ELSE 'MAXVALUE ' || spec.seqmax END,
      spec.seqstart, spec.seqcache, CASE WHEN spec.seqcycle THEN 'CYCLE' ELSE 'NO CYCLE' END);
    PERFORM setval(seq::regclass, last_value, called);
  ELSIF src.atthasdef THEN
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET DEFAULT %s', {rel}, {sql.literal(target)},
      (SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef
       WHERE adrelid = {rel} AND adnum = src.attnum));
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP DEFAULT', {rel}, {sql.literal(source)});
    IF seq IS NOT NULL THEN
      EXECUTE format('ALTER SEQUENCE %s OWNED BY %s.%I', seq, {rel}, {sql.literal(target)});
    END IF;
  ELSIF dst.atthasdef THEN
    -- start_copy's DEFAULT NULL: without a default of its own, a domain's applies again.
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP DEFAULT', {rel}, {sql.literal(target)});
  END IF;
END"""
    return sql.do_block(body, "move")


def _set_not_null(rel: str, check: str, column: str) -> str:
    """PL/pgSQL: validate the CHECK (column IS NOT NULL) `check` (a scan under SHARE UPDATE
    EXCLUSIVE), then SET NOT NULL, which the valid CHECK spares its scan."""
    return f"""    EXECUTE format('ALTER TABLE %s VALIDATE CONSTRAINT %I', {rel}, {check});
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET NOT NULL', {rel}, {column});
"""


def settle_not_null(table: Name, column: str) -> str:
    """Make `column` NOT NULL through the CHECK (column IS NOT NULL) NOT VALID that
    `start_copy` gave it (a NOT NULL source), then drop the CHECK; nothing without it
    (a nullable source, or a re-run)."""
    rel = f"{sql.literal(sql.qualified(table))}::regclass"
    check = sql.literal(not_null_check(table, column))
    drop = f"    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', {rel}, {check});"
    body = f"""BEGIN
  IF EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = {rel} AND conname = {check}) THEN
{_set_not_null(rel, check, sql.literal(column))}{drop}
  END IF;
END"""
    return sql.do_block(body, "not_null")


def drop_null_default(table: Name, column: str) -> str:
    """Drop the `DEFAULT NULL` that `start_copy` gave `column` (kept while the sync
    trigger fills NULLs), so a domain's default applies again as after a plain ADD
    COLUMN; a default set since is left alone (unless it is NULL too)."""
    rel = f"{sql.literal(sql.qualified(table))}::regclass"
    body = f"""BEGIN
  IF EXISTS (
    SELECT 1 FROM pg_attribute AS a JOIN pg_attrdef AS d
      ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attrelid = {rel} AND a.attname = {sql.literal(column)} AND NOT a.attisdropped
      AND starts_with(pg_get_expr(d.adbin, d.adrelid), 'NULL::')  -- shown as the base type
  ) THEN
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP DEFAULT', {rel}, {sql.literal(column)});
  END IF;
END"""
    return sql.do_block(body, "default")


def converts_back(
    table: Name, column: str, to: str, back: str, column_type: str, in_place: bool
) -> str:
    """The contract's down, before it changes anything: fail unless every row's `to`
    converts back (`back`, an expression over the row, assigned to `column_type` as the
    refill assigns it: too long or out of range fails) to `column`, which the contract
    dropped; else the down would re-add `column` empty and its refill would fail, leaving
    it NULL in every row. `in_place`: `to` holds the name `column` until the down runs."""
    t = sql.qualified(table)
    rel = f"{sql.literal(t)}::regclass"
    gone = to if in_place else column
    rows = f"(SELECT *, {sql.ident(column)} AS {sql.ident(to)} FROM {t})" if in_place else t
    refusal = (
        f"migralint contract down: a value of {table}.{to} written since the contract cannot "
        f"be converted back to {column} ({column_type}) by {back}: the down would leave "
        f"{column} empty; change or delete those rows first"
    )
    body = f"""DECLARE
  value {column_type};
  row record;
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_attribute
    WHERE attrelid = {rel} AND attname = {sql.literal(gone)} AND NOT attisdropped
  ) THEN
    PERFORM set_config('row_security', 'off', true);
    FOR row IN SELECT ({back}) AS back FROM {rows} AS src LOOP
      value := row.back;
    END LOOP;
  END IF;
EXCEPTION WHEN data_exception THEN
  RAISE EXCEPTION USING MESSAGE = {sql.literal(refusal)}, DETAIL = SQLERRM;
END"""
    return sql.do_block(body, "converts")


def refilled_check(table: Name, column: str, to: str, back: str) -> str:
    """The expand's down, before it drops `to`: fail while a row holds a `to` whose
    `column` is still empty (`back`, the refill's expression, is not NULL): the migrate
    phase's down did not refill it (it failed, or was skipped), and dropping `to` would
    lose the value."""
    t = sql.qualified(table)
    rel = f"{sql.literal(t)}::regclass"
    pending = f"{sql.ident(column)} IS NULL AND ({back}) IS NOT NULL"
    lost = (
        f" rows of {table} hold a {to} whose {column} is empty (the migrate phase's down did "
        f"not refill it); dropping {to} would lose it: run the migrate phase's down, then "
        "this again"
    )
    body = f"""BEGIN
  IF (SELECT count(*) FROM pg_attribute WHERE attrelid = {rel}
      AND attname IN ({sql.literal(column)}, {sql.literal(to)}) AND NOT attisdropped) = 2 THEN
    PERFORM set_config('row_security', 'off', true);
    IF EXISTS (SELECT 1 FROM {t} WHERE {pending}) THEN
      RAISE EXCEPTION USING MESSAGE = {sql.literal("migralint expand down: ")}
        || (SELECT count(*) FROM {t} WHERE {pending}) || {sql.literal(lost)};
    END IF;
  END IF;
END"""
    return sql.do_block(body, "refilled")


def conversion_check(
    table: Name, assignments: list[tuple[str, str]], reads: frozenset[str] = frozenset()
) -> str:
    """Refuse, before any write goes through the sync trigger, conversions PostgreSQL
    cannot make: `EXPLAIN INSERT INTO t (column, …) SELECT (expression), … FROM t` checks
    every assignment's types (an assignment cast must exist, as for `ALTER COLUMN … TYPE`
    without `USING`) without running it; OVERRIDING SYSTEM VALUE, so that an identity
    column, which the trigger may write, passes. Each name in `reads` (what the
    expressions read) must be a column of the table: a name that is not one reads the
    whole row in the backfill (`orders` in `to_jsonb(orders)`), which the trigger's
    `NEW.orders` cannot, so which columns to follow cannot be known."""
    t = sql.qualified(table)
    missing = "".join(_is_a_column(table, name) for name in sorted(reads))
    columns = ", ".join(sql.ident(column) for column, _ in assignments)
    values = ", ".join(f"({expression})" for _, expression in assignments)
    explain = (
        f"EXPLAIN INSERT INTO {t} ({columns}) OVERRIDING SYSTEM VALUE SELECT {values} FROM {t}"
    )
    shown_sets = ", ".join(f"{column} = {expression}" for column, expression in assignments)
    message = (
        f"the values of {table} cannot be converted as planned ({shown_sets}): give the "
        "conversion with --using (and --reverse-using)"
    )
    body = f"""BEGIN
{missing}  EXECUTE {sql.literal(explain)};
EXCEPTION WHEN datatype_mismatch OR undefined_function OR cannot_coerce THEN
  RAISE EXCEPTION USING MESSAGE = {sql.literal("migralint: " + message)}, DETAIL = SQLERRM;
END"""
    return sql.do_block(body, "convert")


def _is_a_column(table: Name, name: str) -> str:
    """PL/pgSQL refusing `name` unless it is a column of `table` (see conversion_check)."""
    refusal = _fail(
        f"the conversion reads {name}, which is not a column of {table} (PostgreSQL would "
        "read the whole row or fail): the sync trigger cannot know which columns to follow; "
        "name the columns instead"
    )
    return f"""  IF NOT EXISTS (
    SELECT 1 FROM pg_attribute WHERE attrelid = {sql.literal(sql.qualified(table))}::regclass
      AND attname = {sql.literal(name)} AND attnum > 0 AND NOT attisdropped
  ) THEN
    {refusal}
  END IF;
"""


_SERIALS = {"smallserial": "smallint", "serial": "integer", "bigserial": "bigint"}
_SERIALS.update({"serial2": "smallint", "serial4": "integer", "serial8": "bigint"})


def stored_type(type_text: str) -> str:
    """The type a column is stored as: a `serial` is an integer with a sequence default,
    so `ADD COLUMN … serial` would make a new sequence and fill every row from it."""
    return _SERIALS.get(" ".join(type_text.lower().split()), type_text)


def retire(table: Name, source: str, target: str, stale: str, take_name: bool = False) -> str:
    """Drop `source` once `target` holds its data, and with `take_name` rename `target` to
    `source` (the new column replaces the old in place, as `ALTER COLUMN … TYPE` leaves
    it). Nothing happens unless `target` exists: a re-run, or a contract run before its
    expand, never drops the only copy of the data. Before the drop it counts the rows,
    inheritance children included, that match `stale` (a condition over the columns: a
    value of `source` that `target` does not hold, written past the sync trigger by a
    child table or a session with session_replication_role = replica) and fails if any.
    """
    t = sql.qualified(table)
    rename = (
        f"\n    ALTER TABLE {t} RENAME COLUMN {sql.ident(target)} TO {sql.ident(source)};"
        if take_name
        else ""
    )
    lost = (
        f" rows of {table} (or its inheritance children) hold a {source} that {target} does "
        "not (written past the sync trigger: a child table, session_replication_role = "
        f"replica); dropping {source} would lose it: fill {target} in those rows (the "
        "migrate phase fills the empty ones), then run the contract again"
    )
    body = f"""BEGIN
  IF EXISTS (
    SELECT 1 FROM pg_attribute
    WHERE attrelid = {sql.literal(t)}::regclass AND attname = {sql.literal(target)}
      AND NOT attisdropped
  ) THEN
    IF EXISTS (
      SELECT 1 FROM pg_attribute
      WHERE attrelid = {sql.literal(t)}::regclass AND attname = {sql.literal(source)}
        AND NOT attisdropped
    ) THEN
      PERFORM set_config('row_security', 'off', true);
      IF EXISTS (SELECT 1 FROM {t} WHERE {stale}) THEN
        RAISE EXCEPTION USING MESSAGE = {sql.literal("migralint contract: ")}
          || (SELECT count(*) FROM {t} WHERE {stale}) || {sql.literal(lost)};
      END IF;
      ALTER TABLE {t} DROP COLUMN {sql.ident(source)};
    END IF;{rename}
  END IF;
END"""
    # No release reads the plan's own column: renaming it breaks none.
    ignore = "-- migralint: ignore rename-column -- the plan's own column\n" if take_name else ""
    return ignore + sql.do_block(body, "retire")


def unretire(table: Name, source: str, target: str) -> str:
    """Undo `retire(…, take_name=True)`: give the column back its temporary name
    `target`, so the old column can be re-created beside it. Nothing happens while
    `target` exists (the contract did not run, or this already ran)."""
    t = sql.qualified(table)
    ignore = "-- migralint: ignore rename-column -- the plan's own column\n"
    body = f"""BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_attribute
    WHERE attrelid = {sql.literal(t)}::regclass AND attname = {sql.literal(target)}
      AND NOT attisdropped
  ) THEN
    ALTER TABLE {t} RENAME COLUMN {sql.ident(source)} TO {sql.ident(target)};
  END IF;
END"""
    return ignore + sql.do_block(body, "unretire")


def position_note(table: Name, column: str) -> str:
    """What no plan can keep: the column it adds is the table's last, so after the
    contract `column` is not where a plain ALTER leaves it."""
    return (
        f"Column order changes: the new column is added last, so after the contract {column} "
        f"is the last column\nof {table}, not where it was (a plain ALTER keeps its place). "
        "Release N code using positional forms\n(INSERT … VALUES or INSERT … SELECT without a "
        "column list, SELECT * read by position, COPY\nwithout a column list) sees another "
        "order: name the columns before the expand."
    )


INDEXES_HELP = (
    "The column's indexes, UNIQUE and CHECK constraints, as CREATE INDEX and ALTER TABLE … "
    "ADD CONSTRAINT statements separated by ';' (default from plan --from: the migrations'): "
    "each is rebuilt on the new column and takes its name back in the contract."
)


# A down re-creating the original index: after a failed rollback build, the phase's
# header says how to find and drop the INVALID index before running the down again.
_REBUILT_IN_A_DOWN = (
    "-- migralint: ignore concurrent-index-if-not-exists -- a down's rebuild of the "
    "original; its header says how to drop an INVALID one"
)


@dataclass(frozen=True)
class CarriedIndex:
    """An index of the source column, copied onto the target under a temporary name
    and given the original name in the contract."""

    name: str
    temporary: str
    copy: str  # CREATE INDEX CONCURRENTLY of the copy, on the target column
    original: str  # CREATE INDEX CONCURRENTLY of the original, for the downs
    constraint: bool = False  # a UNIQUE constraint, attached USING INDEX


def _as_index(tree: exp.Expression) -> tuple[exp.Expression, bool]:
    """A CREATE INDEX tree, and whether it stands for a UNIQUE constraint (`ALTER TABLE
    t ADD CONSTRAINT n UNIQUE (…)` becomes `CREATE UNIQUE INDEX n ON t (…)`)."""
    if isinstance(tree, exp.Create) and isinstance(tree.this, exp.Index):
        return tree, False
    actions = tree.args.get("actions") or [] if isinstance(tree, exp.Alter) else []
    constraints = [a for a in actions if isinstance(a, exp.AddConstraint)]
    if len(actions) == 1 and constraints and len(constraints[0].expressions) == 1:
        constraint = constraints[0].expressions[0]
        kinds = constraint.expressions if isinstance(constraint, exp.Constraint) else []
        unique = kinds[0] if len(kinds) == 1 else None
        if (
            isinstance(unique, exp.UniqueColumnConstraint)
            and isinstance(unique.this, exp.Schema)
            and not unique.args.get("nulls")
            and not (unique.args.get("include") and unique.args["include"].expressions)
        ):
            columns = ", ".join(c.sql("postgres") for c in unique.this.expressions)
            name, table = constraint.this.sql("postgres"), tree.this.sql("postgres")
            index = f"CREATE UNIQUE INDEX {name} ON {table} ({columns})"
            return sqlglot.parse_one(index, read="postgres"), True
    raise PlanError(
        shown(
            f"--indexes: {tree.sql('postgres')[:80]} is neither a CREATE INDEX nor an ALTER "
            "TABLE … ADD CONSTRAINT … UNIQUE (columns) or CHECK (…)"
        )
    )


def carried_indexes(
    table: Name, source: str, target: str, statements: str | None
) -> tuple[CarriedIndex, ...]:
    """The indexes and UNIQUE constraints among `statements` (CREATE INDEX and ALTER TABLE
    … ADD CONSTRAINT … UNIQUE statements, `;`-separated) that use `source` (as a key, in
    an expression or in the predicate), each rewritten to use `target` instead;
    statements about other columns are left out."""
    carried = []
    for given in _trees(statements):
        if _check_of(given) is not None:
            continue  # carried_checks'
        tree, constraint = _as_index(given)
        index = tree.this
        name = identifier(index.this)
        if not name or table_name(index.args["table"]).key != table.key:
            raise PlanError(shown(f"--indexes: give named indexes of {table}"))
        uses = [c for c in tree.find_all(exp.Column) if identifier(c.this) == source]
        if not uses:
            continue
        original = tree.copy()
        original.set("exists", True)
        original.set("concurrently", True)
        copy = original.copy()
        for column in copy.find_all(exp.Column):
            if identifier(column.this) == source:
                column.set("this", exp.to_identifier(target, quoted=True))
        temporary = sql.generated_name(name, "copy")
        copy.this.set("this", exp.to_identifier(temporary, quoted=True))
        # A unique copy restricts no write that the original does not.
        same = "-- migralint: ignore new-write-restriction -- the same as the existing index\n"
        ignore = same if tree.args.get("unique") else ""
        carried.append(
            CarriedIndex(
                name,
                temporary,
                f"{ignore}{KEPT_INVALID_IS_CHECKED}\n{copy.sql('postgres')};",
                f"{ignore}{_REBUILT_IN_A_DOWN}\n{original.sql('postgres')};",
                constraint,
            )
        )
    return tuple(carried)


@dataclass(frozen=True)
class CarriedCheck:
    """A CHECK constraint using the source column, copied onto the target NOT VALID
    (expand), validated and given the original name in the contract, like a foreign
    key's copy; `back` is the copy onto the source for the contract's down."""

    name: str
    copy: str
    back: str


def carried_checks(
    table: Name, source: str, target: str, statements: str | None
) -> tuple[CarriedCheck, ...]:
    """The CHECK constraints among `statements` (`ALTER TABLE … ADD CONSTRAINT n CHECK
    (…)`) that read `source`; other statements are left to `carried_indexes`. The
    condition is copied as written, only the references to `source` renamed (re-rendered,
    `a NOT IN (…)` would be stored as another expression)."""
    found = []
    for statement in split_statements(statements or "").statements:
        tree = _trees(statement.text)
        check = _check_of(tree[0]) if len(tree) == 1 else None
        if check is None:
            continue
        condition = _condition_text(statement.text)
        renamed = _renamed(condition, source, target)
        if renamed == condition:
            continue
        name = check[0]
        found.append(
            CarriedCheck(
                name,
                _check_copy(table, name, target, renamed),
                _check_copy(table, name, source, condition),
            )
        )
    return tuple(found)


def _condition_text(statement: str) -> str:
    """`(…)` after CHECK in an ADD CONSTRAINT statement, as written (NOT VALID left out)."""
    tokens = sqlglot.tokenize(statement, read="postgres")
    check = next(t for t in tokens if t.text.upper() == "CHECK")
    text = statement[check.end + 1 :].strip().rstrip(";").rstrip()
    if text.upper().endswith("NOT VALID"):
        text = text[: -len("NOT VALID")].rstrip()
    return text


def _renamed(text: str, source: str, target: str) -> str:
    """`text` with its references to column `source` (not functions, not qualifiers)
    renamed `target`; everything else as written."""
    tokens = sqlglot.tokenize(text, read="postgres")
    out, last = [], 0
    for n, token in enumerate(tokens):
        follower = tokens[n + 1].token_type if n + 1 < len(tokens) else None
        if token.token_type == TokenType.IDENTIFIER:
            name = token.text
        elif token.token_type == TokenType.VAR:
            name = token.text.lower()
        else:
            continue
        if name != source or follower in (TokenType.L_PAREN, TokenType.DOT):
            continue
        out.append(text[last : token.start])  # a quoted name's span includes its quotes
        out.append(sql.ident(target))
        last = token.end + 1
    out.append(text[last:])
    return "".join(out)


def _trees(statements: str | None) -> list[exp.Expression]:
    if not statements:
        return []
    try:
        return [t for t in sqlglot.parse(statements, read="postgres") if t is not None]
    except (ParseError, TokenError) as error:
        raise PlanError(shown(f"--indexes is not SQL: {str(error).splitlines()[0]}")) from None


def _check_of(tree: exp.Expression) -> tuple[str, exp.Expression] | None:
    """(name, expression) of `ALTER TABLE … ADD CONSTRAINT name CHECK (expression)`."""
    actions = (tree.args.get("actions") or []) if isinstance(tree, exp.Alter) else []
    if len(actions) != 1 or not isinstance(actions[0], exp.AddConstraint):
        return None
    constraint = actions[0].expressions[0] if actions[0].expressions else None
    kinds = constraint.expressions if isinstance(constraint, exp.Constraint) else []
    if len(kinds) == 1 and isinstance(kinds[0], exp.CheckColumnConstraint):
        return identifier(constraint.this), kinds[0].this
    return None


def _check_copy(table: Name, name: str, column: str, expression: str) -> str:
    """The guarded ADD CONSTRAINT … CHECK … NOT VALID of a copy onto `column`, and the
    comment naming its original."""
    copy = sql.generated_name(name, column, "copy")
    t = sql.qualified(table)
    add = f"ALTER TABLE {t} ADD CONSTRAINT {sql.ident(copy)} CHECK ({expression}) NOT VALID"
    return (
        f"{sql.guarded_constraint(table, copy, add)}\n"
        f"COMMENT ON CONSTRAINT {sql.ident(copy)} ON {t} IS {sql.literal(COPY_OF + name)};\n\n"
    )


def index_phases(
    table: Name, slug: str, source: str, target: str, indexes: tuple[CarriedIndex, ...]
) -> tuple[Phase, ...]:
    """Two migrations per carried index, each one statement outside a transaction: one
    whose down re-creates the original on `source` (after the contract's down re-added
    it), then one building the copy on `target` (its down drops the copy)."""
    phases: list[Phase] = []
    for index in indexes:
        schema_name = Name(index.temporary, table.schema)
        phases.append(
            Phase(
                "migrate",
                f"{slug}_keep_{sql.slug(index.name)}",
                f"Migrate: nothing to run. Its down re-creates index {index.name} on {source} "
                "without blocking reads or writes,\nafter the contract's down re-added the "
                "column. A failed build leaves an INVALID index that IF NOT EXISTS\nskips: "
                f"drop it (DROP INDEX CONCURRENTLY {index.name}) and run the down again.",
                sql.no_sql(f"Nothing to run: the down re-creates index {index.name}."),
                index.original,
                transactional=False,
            )
        )
        phases.append(
            Phase(
                "migrate",
                f"{slug}_index_{sql.slug(index.name)}",
                f"Migrate: build a copy of index {index.name} on {target} without blocking reads "
                "or writes (CONCURRENTLY,\noutside a transaction); the contract gives it the "
                f"name {index.name}. A failed build leaves an INVALID index\nthat IF NOT EXISTS "
                f"skips: drop it (DROP INDEX CONCURRENTLY {index.temporary}) and run this again.",
                index.copy,
                f"DROP INDEX CONCURRENTLY IF EXISTS {sql.qualified(schema_name)};",
                transactional=False,
            )
        )
    return tuple(phases)


def name_indexes(table: Name, indexes: tuple[CarriedIndex, ...]) -> str:
    """Contract: once `source` and its indexes are gone, each copy takes its original's
    name, a UNIQUE constraint's copy as that constraint (`USING INDEX`); re-runnable:
    only a copy still under its temporary name is renamed."""
    t = sql.qualified(table)
    steps = []
    for index in indexes:
        temporary = Name(index.temporary, table.schema)
        name = Name(index.name, table.schema)
        if index.constraint:
            step = (
                f"ALTER TABLE {t} ADD CONSTRAINT {sql.ident(index.name)} UNIQUE "
                f"USING INDEX {sql.ident(index.temporary)};"
            )
        else:
            step = f"ALTER INDEX {sql.qualified(temporary)} RENAME TO {sql.ident(index.name)};"
        invalid = f"index {sql.qualified(temporary)} is INVALID (its build failed)"
        steps.append(
            f"  IF EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = "
            f"to_regclass({sql.literal(sql.qualified(temporary))}) AND NOT indisvalid) THEN\n"
            f"    RAISE EXCEPTION USING MESSAGE = {sql.literal(invalid)},\n"
            "      HINT = 'Nothing of this contract is applied: drop it with DROP INDEX "
            "CONCURRENTLY, run its migrate phase again, then this.';\n"
            "  END IF;\n"
            f"  IF to_regclass({sql.literal(sql.qualified(temporary))}) IS NOT NULL\n"
            f"      AND to_regclass({sql.literal(sql.qualified(name))}) IS NULL THEN\n"
            f"    {step}\n  END IF;"
        )
    return _steps(steps)


def unname_indexes(table: Name, source: str, indexes: tuple[CarriedIndex, ...]) -> str:
    """The contract's down, before `source` is re-added: each copy gets its temporary name
    back (a UNIQUE constraint's copy is dropped), so the downs drop it and re-create the
    original on `source`."""
    t = sql.qualified(table)
    gone = (
        f"NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = {sql.literal(t)}::regclass "
        f"AND attname = {sql.literal(source)} AND NOT attisdropped)"
    )
    steps = []
    for index in indexes:
        name = Name(index.name, table.schema)
        if index.constraint:
            step = f"ALTER TABLE {t} DROP CONSTRAINT {sql.ident(index.name)};"
        else:
            step = f"ALTER INDEX {sql.qualified(name)} RENAME TO {sql.ident(index.temporary)};"
        # While `source` exists, `name` is its original index: left alone.
        steps.append(
            f"  IF to_regclass({sql.literal(sql.qualified(name))}) IS NOT NULL AND {gone} THEN\n"
            f"    {step}\n  END IF;"
        )
    return _steps(steps)


def attach_constraints(table: Name, indexes: tuple[CarriedIndex, ...]) -> str:
    """The expand's down: a UNIQUE constraint whose index the downs re-created (a plain
    unique index of that name) becomes the constraint again."""
    t = sql.qualified(table)
    steps = [
        f"  IF to_regclass({sql.literal(sql.qualified(Name(index.name, table.schema)))}) "
        "IS NOT NULL AND NOT EXISTS (\n"
        f"    SELECT 1 FROM pg_constraint WHERE conrelid = {sql.literal(t)}::regclass\n"
        f"      AND conname = {sql.literal(index.name)}\n  ) THEN\n"
        f"    ALTER TABLE {t} ADD CONSTRAINT {sql.ident(index.name)} UNIQUE "
        f"USING INDEX {sql.ident(index.name)};\n  END IF;"
        for index in indexes
        if index.constraint
    ]
    return _steps(steps)


def _steps(steps: list[str]) -> str:
    """A DO block of IF … END IF steps and a blank line; nothing without steps."""
    if not steps:
        return ""
    return sql.do_block("BEGIN\n" + "\n".join(steps) + "\nEND", "indexes") + "\n\n"
