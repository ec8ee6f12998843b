"""char(n) pads values with spaces; use text (with a CHECK if the length matters).

## What it does
Flags `char(n)` / `character(n)` columns in a new table, a new column, or an ALTER
COLUMN … TYPE. The one-byte internal type `"char"` passes, quoted or schema-qualified
(`pg_catalog.char` names it too: only the bare keyword CHAR means `char(1)`), and so
does `bpchar` without a length, which pads nothing.

## Why is this bad?
`char(n)` pads every value with spaces to n characters, strips them again in some
operations but not others (`LIKE`, concatenation, casts to text, client libraries),
and is no faster than text: PostgreSQL stores it the same way. Values that were
meant to be exactly n characters are better served by a CHECK that says so.

## Example
```sql
CREATE TABLE countries (code char(2) PRIMARY KEY, name text NOT NULL);
```

## Use instead
```sql
CREATE TABLE countries (
    code text PRIMARY KEY CHECK (char_length(code) = 2),
    name text NOT NULL
);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.types import declared_columns, quoted, type_finding
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AddColumn, AlterColumnType, CreateTable, DataType


@rule(
    "ban-char-field",
    category="types",
    severity="info",
    enabled_by_default=False,
    aliases=["ban-char-field"],
    on_new_tables=True,
    on_down=False,
)
def check(op: CreateTable | AddColumn | AlterColumnType, ctx: Context) -> Iterator[Violation]:
    for d in declared_columns(op):
        if d.type.name != "char" or _unpadded(d.type):
            continue
        n = d.type.params[0] if d.type.params else 1
        col = quoted(d.name)
        text = f"text{'[]' if d.type.array else ''}"
        help = f"Declare {col} as {text}, with `CHECK (char_length({col}) = {n})` if every "
        help += "value must have that length."
        if n == 36:
            help = f"Declare {col} as uuid if it holds UUIDs (16 bytes, validated), else as {text}."
        yield type_finding(
            ctx,
            d,
            f"{d.table}.{d.name} is {str(d.type).lower()}: "
            f"shorter values are padded with spaces to {n} character{'s' if n != 1 else ''}",
            help,
        )


def _unpadded(t: DataType) -> bool:
    """True for the one-byte `"char"` type (a quoted or qualified name: bare CHAR is the
    SQL keyword for char(1)) and for `bpchar` without a length, which pads nothing."""
    bare = t.sql.lower().replace('"', "")
    if bare.startswith("bpchar"):
        return not t.params
    return t.sql.startswith('"') or bare.startswith("pg_catalog.char")
