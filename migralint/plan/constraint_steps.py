"""Building blocks the constraint plans share (add-foreign-key, add-check, add-unique,
add-primary-key): column lists, concurrent index builds, attaching an index as a
constraint, validating, and the headers' diagnostic queries.

Names given on the command line are taken as stored (case kept, no folding), like
`--table` and `--column` elsewhere; a part may be written in double quotes, which are
removed (a name with a comma or a dot in it must be).
"""

from __future__ import annotations

import re

from migralint.pgfacts import object_name
from migralint.plan import sql
from migralint.plan.model import PlanError
from migralint.sql.ops import Name

GUARD = "$guard$"


def _unquote(part: str) -> str:
    part = part.strip()
    if len(part) > 1 and part[0] == '"' and part[-1] == '"':
        return part[1:-1].replace('""', '"')
    return part


def _split(text: str, separator: str) -> list[str] | None:
    """Split on `separator` outside double quotes, unquoting each part; None when a
    quote is left open."""
    parts, current, quoted = [], "", False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == separator and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    if quoted:
        return None
    return [_unquote(p) for p in [*parts, current]]


def columns_of(text: str | None, option: str = "--column") -> list[str]:
    """`a, "B,c"` → ["a", "B,c"]: a comma-separated list of column names."""
    columns = _split(text or "", ",")
    if not columns or any(not c for c in columns):
        raise PlanError(f"{option} {text!r}: give one or more comma-separated column names")
    if len(set(columns)) != len(columns):
        raise PlanError(f"{option} {text!r} names a column twice")
    for c in columns:
        _no_guard_tag(c, option)
    return columns


def parse_references(text: str) -> tuple[Name, list[str]]:
    """`sales.customers(id)` → (Name("customers", "sales"), ["id"])."""
    m = re.fullmatch(r"\s*((?:\"(?:[^\"]|\"\")+\"|[^\"(])+)\((.*)\)\s*", text)
    if m is None:
        raise PlanError(
            f"--references {text!r}: write the table and its columns, e.g. customers(id)"
        )
    parts = _split(m[1].strip(), ".")
    if not parts or len(parts) > 2 or any(not p for p in parts):
        raise PlanError(f"--references {text!r}: the table is [schema.]table")
    for p in parts:
        _no_guard_tag(p, "--references")
    table = Name(parts[-1], parts[0] if len(parts) == 2 else None)
    return table, columns_of(m[2], "--references")


def _no_guard_tag(name: str, option: str) -> None:
    if GUARD in name:
        raise PlanError(f"{option}: {name!r} contains {GUARD}, the dollar-quote tag the plan uses")


def name_of(text: str, option: str) -> str:
    """One name as given (double quotes removed), checked."""
    name = _unquote(text)
    if not name:
        raise PlanError(f"{option} is empty")
    _no_guard_tag(name, option)
    return name


def quoted_list(columns: list[str]) -> str:
    return ", ".join(sql.ident(c) for c in columns)


def regclass(name: Name) -> str:
    """The literal to cast to regclass for a table or an index."""
    return sql.literal(sql.qualified(name))


def default_name(table: Name, columns: list[str], suffix: str) -> str:
    """The name PostgreSQL gives an unnamed index or constraint (`<table>_<columns>_<suffix>`,
    shortened as makeObjectName does), so a later `DROP CONSTRAINT <that name>` finds it."""
    return object_name(table.name, "_".join(columns), suffix)


def nothing(comment: str) -> str:
    """A file with no SQL to run: a comment and `SELECT 1;`."""
    lines = "\n".join(f"-- {line}".rstrip() for line in comment.splitlines())
    return f"{lines}\nSELECT 1;"


# IF NOT EXISTS keeps the INVALID index a failed concurrent build leaves; every plan's next
# phase fails on an INVALID index (valid_check, or the attach step), so nothing is kept
# silently, and the header says how to drop it and run the expand again.
KEPT_INVALID_IS_CHECKED = (
    "-- migralint: ignore concurrent-index-if-not-exists -- the next phase fails while the "
    "index is INVALID"
)


def create_index(table: Name, name: str, columns: list[str], unique: bool) -> str:
    """One CREATE [UNIQUE] INDEX CONCURRENTLY statement: a phase of its own, outside a
    transaction, with no timeout (it waits for running transactions)."""
    kind = "UNIQUE INDEX" if unique else "INDEX"
    return (
        f"{KEPT_INVALID_IS_CHECKED}\nCREATE {kind} CONCURRENTLY IF NOT EXISTS {sql.ident(name)}\n"
        f"  ON {sql.qualified(table)} ({quoted_list(columns)});"
    )


def valid_check(table: Name, name: str) -> str:
    """A DO block failing unless the index exists and is valid (read-only)."""
    index = sql.qualified(Name(name, table.schema))
    message = (
        f"index {index} is missing or INVALID: drop it with DROP INDEX CONCURRENTLY, "
        "fix the cause and run the expand migration again"
    )
    body = f"""BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_index
    WHERE indexrelid = to_regclass({sql.literal(index)}) AND indisvalid
  ) THEN
    RAISE EXCEPTION USING MESSAGE = {sql.literal(message)};
  END IF;
END"""
    return sql.do_block(body, "check")


def drop_index(table: Name, name: str) -> str:
    return f"DROP INDEX CONCURRENTLY IF EXISTS {sql.qualified(Name(name, table.schema))};"


def invalid_index_help(table: Name, name: str) -> str:
    """Header lines: how to find and remove what a failed concurrent build leaves."""
    index = regclass(Name(name, table.schema))
    return (
        "A failed build (a duplicate, a deadlock, a cancel) leaves an INVALID index that IF "
        "NOT EXISTS\nskips on a re-run. Check with\n"
        f"  SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass({index});\n"
        f"If that says false: {drop_index(table, name)}\n"
        "then fix the cause and run this migration again."
    )


def duplicates_query(table: Name, columns: list[str]) -> str:
    cols = quoted_list(columns)
    not_null = " AND ".join(f"{sql.ident(c)} IS NOT NULL" for c in columns)
    return (
        f"SELECT {cols}, count(*) FROM {sql.qualified(table)} WHERE {not_null}\n"
        f"    GROUP BY {cols} HAVING count(*) > 1;"
    )


def drop_constraint(table: Name, name: str, lock: str) -> str:
    return (
        f"{lock}\n\nALTER TABLE {sql.qualified(table)} DROP CONSTRAINT IF EXISTS {sql.ident(name)};"
    )


def validate(table: Name, name: str) -> str:
    return f"ALTER TABLE {sql.qualified(table)} VALIDATE CONSTRAINT {sql.ident(name)};"


def _escape(text: str) -> str:
    """Text for a RAISE format string: `%` doubled."""
    return text.replace("%", "%%")


def _raise(message: str) -> str:
    return f"RAISE EXCEPTION USING MESSAGE = {sql.literal(message)};"


def attach_index(table: Name, name: str, kind: str, columns: list[str], expand_slug: str) -> str:
    """ADD CONSTRAINT `name` UNIQUE / PRIMARY KEY USING INDEX `name`, re-runnable, and
    refusing with a clear message where PostgreSQL would fail late or lock long: the
    index missing or INVALID, another primary key, a nullable primary-key column (it
    would SET NOT NULL with a full scan under ACCESS EXCLUSIVE)."""
    t = sql.qualified(table)
    index = Name(name, table.schema)
    shown = sql.qualified(index)
    lines = [
        "IF NOT EXISTS (",
        "  SELECT 1 FROM pg_constraint",
        f"  WHERE conname = {sql.literal(name)} AND conrelid = {regclass(table)}::regclass",
        ") THEN",
    ]
    if kind == "PRIMARY KEY":
        lines += [
            "  IF EXISTS (",
            f"    SELECT 1 FROM pg_constraint WHERE conrelid = {regclass(table)}::regclass "
            "AND contype = 'p'",
            "  ) THEN",
            "    " + _raise(f"{t} already has a primary key: drop it first or keep it"),
            "  END IF;",
        ]
    in_index = f"FROM pg_index WHERE indexrelid = to_regclass({regclass(index)})"
    lines += [
        f"  IF NOT EXISTS (SELECT 1 {in_index}) THEN",
        "    "
        + _raise(
            f"index {shown} is missing: run the expand migration ({expand_slug}) again, "
            "it builds the index"
        ),
        "  END IF;",
        f"  IF EXISTS (SELECT 1 {in_index} AND NOT indisvalid) THEN",
        "    "
        + _raise(
            f"index {shown} is INVALID (its build failed): DROP INDEX CONCURRENTLY {shown}; "
            "fix the cause (duplicates), then run the expand migration again"
        ),
        "  END IF;",
    ]
    if kind == "PRIMARY KEY":
        array = "ARRAY[" + ", ".join(sql.literal(c) for c in columns) + "]::name[]"
        nullable = (
            f"FROM pg_attribute WHERE attrelid = {regclass(table)}::regclass\n"
            f"      AND attname = ANY({array}) AND NOT attnotnull"
        )
        lines += [
            f"  IF EXISTS (SELECT 1 {nullable}) THEN",
            "    RAISE EXCEPTION "
            + sql.literal(
                f"column(s) % of {_escape(t)} are nullable: ADD PRIMARY KEY would SET NOT NULL "
                "with a full scan under ACCESS EXCLUSIVE; make them NOT NULL first (migralint "
                "plan set-not-null)"
            )
            + f",\n      (SELECT string_agg(quote_ident(attname), ', ') {nullable});",
            "  END IF;",
        ]
    lines += [
        f"  ALTER TABLE {t} ADD CONSTRAINT {sql.ident(name)} {kind} USING INDEX {sql.ident(name)};",
        "END IF;",
    ]
    body = "\n".join(f"  {line}" for line in lines)
    return f"DO {GUARD}\nBEGIN\n{body}\nEND\n{GUARD};"
