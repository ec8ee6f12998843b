"""Which conversions PostgreSQL makes by assignment, known at plan time.

A value written to a column of another type (`UPDATE … SET`, `ALTER COLUMN … TYPE`
without `USING`) is converted by an assignment cast: one of pg_cast's implicit or
assignment casts, the automatic I/O conversion to a string type, or a length coercion
within one type. The planner converts that way in both directions (the backfill, the
sync trigger for release N-1's writes, the downs), so a plan whose conversion has no
such cast would fail at run time, after earlier phases shipped: it is refused here
instead. Types migralint does not know (an enum, a domain, an extension's type) are
never assumed convertible.
"""

from __future__ import annotations

import re

# pg_cast of PostgreSQL 16: castcontext 'a' or 'i' between built-in base types
# (tests/test_plan_casts.py compares it with the live catalog).
ASSIGNMENT_CASTS: dict[str, frozenset[str]] = {
    source: frozenset(targets)
    for source, targets in {
        '"char"': ("character", "character varying", "text"),
        "bigint": ("double precision", "integer", "money", "numeric", "real", "smallint"),
        "bit": ("bit varying",),
        "bit varying": ("bit",),
        "boolean": ("character", "character varying", "text"),
        "box": ("polygon",),
        "character": ('"char"', "character varying", "name", "text"),
        "character varying": ('"char"', "character", "name", "text"),
        "cidr": ("character", "character varying", "inet", "text"),
        "date": ("timestamp with time zone", "timestamp without time zone"),
        "double precision": ("bigint", "integer", "numeric", "real", "smallint"),
        "inet": ("character", "character varying", "cidr", "text"),
        "integer": ("bigint", "double precision", "money", "numeric", "real", "smallint"),
        "interval": ("time without time zone",),
        "json": ("jsonb",),
        "jsonb": ("json",),
        "macaddr": ("macaddr8",),
        "macaddr8": ("macaddr",),
        "money": ("numeric",),
        "name": ("character", "character varying", "text"),
        "numeric": ("bigint", "double precision", "integer", "money", "real", "smallint"),
        "path": ("polygon",),
        "point": ("box",),
        "polygon": ("path",),
        "real": ("bigint", "double precision", "integer", "numeric", "smallint"),
        "smallint": ("bigint", "double precision", "integer", "numeric", "real"),
        "text": ('"char"', "character", "character varying", "name"),
        "time with time zone": ("time without time zone",),
        "time without time zone": ("interval", "time with time zone"),
        "timestamp with time zone": (
            "date",
            "time with time zone",
            "time without time zone",
            "timestamp without time zone",
        ),
        "timestamp without time zone": (
            "date",
            "time without time zone",
            "timestamp with time zone",
        ),
        "xml": ("character", "character varying", "text"),
    }.items()
}
# The built-in base types a migration names (pg_catalog, by format_type).
BUILT_IN = frozenset(ASSIGNMENT_CASTS) | {
    "bytea",
    "circle",
    "jsonpath",
    "line",
    "lseg",
    "tsquery",
    "tsvector",
    "uuid",
}
# Every type converts to these by assignment (automatic I/O conversion).
STRINGS = frozenset({"text", "character varying", "character", "name"})
_ALIASES = {
    "int": "integer",
    "int4": "integer",
    "int2": "smallint",
    "int8": "bigint",
    "float4": "real",
    "float8": "double precision",
    "float": "double precision",
    "decimal": "numeric",
    "varchar": "character varying",
    "char": "character",
    "bpchar": "character",
    "bool": "boolean",
    "varbit": "bit varying",
    "timestamptz": "timestamp with time zone",
    "timestamp": "timestamp without time zone",
    "timetz": "time with time zone",
    "time": "time without time zone",
    "timestamp without time zone": "timestamp without time zone",
}


def canonical(type_text: str) -> str | None:
    """A type as format_type names it, without its modifiers (`varchar(20)` →
    `character varying`, `timestamptz(3)` → `timestamp with time zone`, `int[]` →
    `integer[]`); None for a type that is not built in."""
    text = " ".join(re.sub(r"\([^)]*\)", " ", type_text).split())
    dimensions = 0
    while text.endswith("[]"):
        text, dimensions = text[:-2].rstrip(), dimensions + 1
    if text.lower().startswith("pg_catalog."):
        text = text[len("pg_catalog.") :]
    if text != '"char"':
        if '"' in text:
            return None
        text = text.lower()
    text = _ALIASES.get(text, text)
    if text not in BUILT_IN:
        return None
    return text + "[]" * dimensions


def assignable(source: str, target: str) -> bool | None:
    """Whether PostgreSQL converts a `source` value to `target` by assignment; None when
    migralint cannot tell (a type it does not know)."""
    if " ".join(source.lower().split()) == " ".join(target.lower().split()):
        return True
    if canonical(target) in STRINGS:
        return True
    a, b = canonical(source), canonical(target)
    if a is None or b is None:
        return None
    if a == b:
        return True  # a length or precision coercion within one type
    if a.endswith("[]") and b.endswith("[]"):
        return assignable(a[:-2], b[:-2])
    return b in ASSIGNMENT_CASTS.get(a, frozenset())
