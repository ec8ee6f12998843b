"""What PostgreSQL really does, in one place, version-aware: which type changes rewrite
the table, which lose data, which conditions hold for every row, which defaults are
volatile. Each fact here is checked against a real PostgreSQL in tests/test_pgfacts.py.
"""

from __future__ import annotations

import re
from collections.abc import Container, Mapping
from itertools import pairwise

from migralint.sql import ops

# Identifiers

NAMEDATALEN = 63  # PostgreSQL's identifier limit in bytes (NAMEDATALEN - 1)


def object_name(first: str, second: str, label: str) -> str:
    """PostgreSQL's makeObjectName: `first_second_label` (no `second`: `first_label`), the
    longer of the two parts shortened first, byte by byte (never inside a character),
    until it fits NAMEDATALEN bytes: the name an unnamed constraint or index gets."""
    a, b = first.encode(), second.encode()
    room = NAMEDATALEN - len(label.encode()) - 1 - (1 if b else 0)
    while len(a) + len(b) > room:
        if len(a) > len(b):
            a = a[:-1]
        else:
            b = b[:-1]
    parts = [p.decode(errors="ignore") for p in (a, b) if p]
    return "_".join([*parts, label])


# Conditions true for every row: `WHERE true` deletes or updates the whole table.
_ALWAYS_TRUE = frozenset({"TRUE", "1 = 1", "1=1"})


def always_true(condition: str | None) -> bool:
    """True for a missing WHERE or one that holds for every row."""
    return condition is None or condition.strip().upper() in _ALWAYS_TRUE


def is_system_catalog(table: ops.Name) -> bool:
    """True for pg_catalog tables (`UPDATE pg_index …`): not application data."""
    return table.schema in ("pg_catalog", "information_schema") or (
        table.schema is None and table.name.startswith("pg_")
    )


_NOT_NULL_TERM = re.compile(
    r'"?(?P<a>[A-Za-z_]\w*)"?\s+IS\s+NOT\s+NULL|NOT\s*\(\s*"?(?P<b>[A-Za-z_]\w*)"?\s+IS\s+NULL\s*\)',
    re.IGNORECASE,
)


def null_rejected(expression: str | None) -> list[str]:
    """The columns a CHECK is false for when NULL: the `c IS NOT NULL` (or `NOT (c IS
    NULL)`) terms of its top-level AND. Under an OR a NULL may pass (`a IS NULL OR a IS
    NOT NULL`), and any other CHECK passes a NULL, as SQL's unknown is not false.
    Names are folded as unquoted identifiers."""
    found = (_NOT_NULL_TERM.fullmatch(term) for term in _conjuncts(expression or ""))
    return list(dict.fromkeys((m["a"] or m["b"]).lower() for m in found if m))


_LOGIC = re.compile(r"[()]|\b(?:AND|OR)\b", re.IGNORECASE)


def _conjuncts(expression: str) -> list[str]:
    """The terms that must all hold: `expression` split at its top-level ANDs (and
    those of bracketed ANDs), or [] when a top-level OR makes none of them required."""
    text = _without_brackets(expression)
    parts, depth, start = [], 0, 0
    for m in _LOGIC.finditer(text):
        token = m.group().upper()
        depth += {"(": 1, ")": -1}.get(token, 0)
        if depth == 0 and token == "OR":
            return []
        if depth == 0 and token == "AND":
            parts.append(text[start : m.start()])
            start = m.end()
    parts.append(text[start:])
    if len(parts) == 1:
        return [text]
    return [term for part in parts for term in _conjuncts(part)]


def _without_brackets(text: str) -> str:
    """`text` without brackets that enclose all of it: `((a))` is `a`."""
    text = text.strip()
    while text.startswith("(") and _closing(text) == len(text) - 1:
        text = text[1:-1].strip()
    return text


def _closing(text: str) -> int:
    """Where the bracket opening `text` closes (-1 if it does not)."""
    depth = 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0:
            return i
    return -1


# Type changes (ALTER COLUMN … TYPE without a USING that changes values)

_VARIABLE_LENGTH = frozenset({"varchar", "bit varying"})
_TEXT_LIKE = frozenset({"varchar", "text"})
_TIMESTAMPS = frozenset({"timestamp", "timestamptz"})
_TEXT_TYPES = frozenset({"text", "varchar", "char"})
# Types whose (n) is a precision of fractional seconds, 6 when not given.
_SECONDS_PRECISION = frozenset({*_TIMESTAMPS, "time", "timetz"})
_INTEGERS = {"smallint": 2, "integer": 4, "bigint": 8}
_SERIALS = {"smallserial": "smallint", "serial": "integer", "bigserial": "bigint"}
BUILTIN = frozenset(
    {
        *_INTEGERS,
        *_SERIALS,
        "numeric",
        "real",
        "double precision",
        "varchar",
        "text",
        "char",
        "bit",
        "bit varying",
        "boolean",
        "date",
        "time",
        "timetz",
        "timestamp",
        "timestamptz",
        "interval",
        "uuid",
        "json",
        "jsonb",
        "bytea",
        "inet",
        "cidr",
    }
)
TIMESTAMP_CAST_WITHOUT_REWRITE = (12, 0)  # timestamp ↔ timestamptz in a zero-offset zone


def rewrites(
    old: ops.DataType | None,
    new: ops.DataType,
    pg_version: tuple[int, int],
    timezone: str | None,
    via: tuple[ops.DataType, ...] = (),
    enums: Container[str] = (),
) -> bool | None:
    """Whether `ALTER COLUMN … TYPE new` rewrites the table (and its indexes); None when
    it cannot be judged: `unjudged` says why. `timezone` is the session's TimeZone if
    the migration sets it (else the server's, which migralint cannot see). `via` are
    the types a `USING c::t1::t2` casts the column to first: PostgreSQL converts step
    by step, and rewrites if any step does. `enums` names the types known to be enums:
    a value converted to or from another type goes through its text form, a rewrite."""
    steps = [_rewrites(a, b, pg_version, timezone, enums) for a, b in pairwise((old, *via, new))]
    return True if True in steps else None if None in steps else False


def _rewrites(
    old: ops.DataType | None,
    new: ops.DataType,
    pg_version: tuple[int, int],
    timezone: str | None,
    enums: Container[str],
) -> bool | None:
    """`rewrites` for one conversion."""
    if old is None:
        return None
    old, new = _stored(old), _stored(new)
    if (old.name, old.params, old.array) == (new.name, new.params, new.array):
        return False  # the same type again, built-in or not
    if old.name in enums or new.name in enums:
        return True
    if old.name not in BUILTIN or new.name not in BUILTIN:
        return None
    if old.array or new.array:  # PostgreSQL converts every element of a changed array
        return True
    if {old.name, new.name} == _TIMESTAMPS:
        if pg_version < TIMESTAMP_CAST_WITHOUT_REWRITE or _seconds(new) < _seconds(old):
            return True
        return None if timezone is None else not zero_offset(timezone)
    return not _binary_coercible(old, new)


def rebuilds_indexes(old: ops.DataType | None, new: ops.DataType) -> bool:
    """True when a change that leaves the table as it is still rebuilds every index
    over the column: its operator class changes (timestamp_ops to timestamptz_ops)."""
    if old is None or old.array or new.array:
        return False
    return {_stored(old).name, _stored(new).name} == _TIMESTAMPS


def _stored(t: ops.DataType) -> ops.DataType:
    """The type a column is stored as: a serial column is an integer one (with a
    sequence default), bigserial a bigint, smallserial a smallint."""
    name = _SERIALS.get(t.name)
    return ops.DataType(name, t.params, t.array, t.sql) if name else t


def unjudged(old: ops.DataType | None, new: ops.DataType) -> str:
    """Why `rewrites` cannot judge a change it returned None for, in a few words."""
    if old is None:
        return "the old type is unknown"
    if old.name not in BUILTIN or new.name not in BUILTIN:
        unknown = old if old.name not in BUILTIN else new
        return f"{unknown} is not a built-in type"
    return "it depends on the server's TimeZone, which the migration does not set"


def _binary_coercible(old: ops.DataType, new: ops.DataType) -> bool:
    """The changes PostgreSQL makes in the catalog only (ALTER TABLE's exceptions), for
    built-in types that are not arrays, other than timestamp ↔ timestamptz."""
    if old.name in _TEXT_LIKE and new.name in _TEXT_LIKE:
        return _wider(old, new) if new.name == "varchar" else True
    if old.name == new.name and old.name in _VARIABLE_LENGTH:
        return _wider(old, new)
    if old.name == new.name and old.name in _SECONDS_PRECISION:
        return _seconds(new) >= _seconds(old)
    if old.name == new.name == "numeric":
        if not new.params:
            return True
        old_p, old_s = _precision(old)
        new_p, new_s = _precision(new)
        return old_p is not None and new_s == old_s and new_p >= old_p
    return (old.name, new.name) == ("cidr", "inet")


def _wider(old: ops.DataType, new: ops.DataType) -> bool:
    """A length limit that admits every value the old one did."""
    if not new.params:
        return True
    return bool(old.params) and old.name != "text" and new.params[0] >= old.params[0]


def _seconds(t: ops.DataType) -> int:
    """The digits of fractional seconds a time type keeps (6 unless given)."""
    return t.params[0] if t.params else 6


def _precision(t: ops.DataType) -> tuple[int | None, int]:
    if not t.params:
        return None, 0
    return t.params[0], t.params[1] if len(t.params) > 1 else 0


# Time zones PostgreSQL knows as UTC itself: a fixed zero offset, no daylight saving.
ZERO_OFFSET_ZONES = frozenset(
    {
        *(
            f"{prefix}{zone}"
            for prefix in ("", "etc/")
            for zone in ("utc", "uct", "gmt", "gmt0", "gmt+0", "gmt-0", "greenwich")
        ),
        *("universal", "etc/universal", "zulu", "etc/zulu", "utc0", "+00", "-00", "0"),
    }
)


def zero_offset(timezone: str) -> bool:
    """True for a TimeZone setting whose offset from UTC is always zero: under it
    PostgreSQL 12+ converts timestamp ↔ timestamptz in the catalog only."""
    return timezone.strip().strip("'\"").lower() in ZERO_OFFSET_ZONES


def lossy(old: ops.DataType, new: ops.DataType) -> str | None:
    """What converting a value to `new` silently does to every existing value, or None:
    timestamp → date drops the time of day, timestamptz → time the date, fewer digits of
    fractional seconds round, bytea → text keeps the hex escape text of the bytes.
    (Shorter limits and smaller number types are narrowing's: checks.types.)"""
    if old.name in _TIMESTAMPS and new.name in ("date", "time", "timetz"):
        lost = "the time of day" if new.name == "date" else "the date"
        return f"drops {lost} from every value"
    if {old.name, new.name} <= _SECONDS_PRECISION and _seconds(new) < _seconds(old):
        return f"rounds every value to {_seconds(new)} digits of fractional seconds"
    if old.name == "bytea" and new.name in _TEXT_TYPES and not new.array:
        # bytea's I/O conversion to a string type is an assignment cast: it succeeds
        return "stores every value as its hex escape text (`\\x6162…`), not its characters"
    return None


# Functions

_CALL = re.compile(r"\b(?P<name>[A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)?)\s*\(")
# Functions PostgreSQL (and the uuid-ossp and pgcrypto extensions) declare VOLATILE:
# a default calling one is computed for every row. (txid_current and now are STABLE.)
VOLATILE_BUILTINS = frozenset(
    {
        "random",
        "random_normal",
        "setseed",
        "nextval",
        "gen_random_uuid",
        "uuidv4",
        "uuidv7",
        "clock_timestamp",
        "timeofday",
        "uuid_generate_v1",
        "uuid_generate_v1mc",
        "uuid_generate_v4",
        "gen_random_bytes",
    }
)


def routine_volatile(
    volatility: str,
    language: str,
    inlined: str | None = None,
    defined: Mapping[str, bool | None] | None = None,
) -> bool | None:
    """Whether a default calling a function the migrations define is computed per row,
    from its CREATE FUNCTION's volatility clause and language: without a clause it is
    VOLATILE, PostgreSQL's default. A VOLATILE `LANGUAGE sql` one is judged by what
    its calls become (`inlined`, see migralint/sql/routines.py): called as declared,
    it is volatile; inlined, it is volatile when its expression calls a volatile
    function (a built-in, or one of `defined`). None when that cannot be told: an
    inlined expression without one (whether the declared VOLATILE or the expression
    decides depends on the server's release), a body not read, a language the
    statement does not name."""
    if volatility in ("immutable", "stable"):
        return False
    if language == "":
        return None
    if language != "sql":
        return True
    if inlined is None:
        return None
    if inlined == "" or volatile_call(inlined, defined or {}) is not None:
        return True
    return None


def volatile_call(sql: str, defined: Mapping[str, bool | None]) -> str | None:
    """The first function a default expression calls that is computed per row: a
    volatile built-in, or one `defined` (function name → `routine_volatile`) says is."""
    for m in _CALL.finditer(sql):
        name = m["name"].lower().rsplit(".", 1)[-1]  # whatever schema: extensions.…, app.…
        if name in VOLATILE_BUILTINS or defined.get(name) is True:
            return name
    return None
