"""Fast readers for the most frequent DDL shapes, with exactly the Ops sqlglot's gives.

Most migrations are plain CREATE TABLE, CREATE INDEX and ALTER TABLE statements
(ADD COLUMN, ADD CONSTRAINT, DROP, ALTER COLUMN, RENAME), and parsing them with
pure-Python sqlglot is most of a cold run's time. These readers walk the statement's
tokens (`tokens.tokenize`) through a closed grammar of those shapes and build the
same Ops `sqlglot_ops` and `alter_table` build from sqlglot's tree, types and
defaults written the way sqlglot writes them. Whatever is not exactly one of those
shapes (a CHECK, an expression, a WHERE beyond `col IS [NOT] NULL`, a type or
function outside the tables here, a name sqlglot reads as a keyword) returns None,
and the statement goes to sqlglot. `tests/test_parse_fast.py` runs both paths on
every fixture statement, a corpus slice, every word sqlglot knows in every name
position, every type and default spelling here and random statements of these
shapes, and requires identical Ops.
"""

from __future__ import annotations

from dataclasses import replace

from migralint.postgres import is_volatile_expression
from migralint.sql import ops
from migralint.sql.names import RESERVED
from migralint.sql.tokens import NUMBER, PUNCT, QUOTED, STRING, WORD, Token, tokenize

DIALECTS = frozenset({"postgres", "cockroach"})  # both read by sqlglot's PostgreSQL reader

# Bare words that are no plain name for sqlglot's reader, beyond PostgreSQL's reserved
# ones: it gives them a meaning of their own where a name stands (found by running
# every word sqlglot knows through both paths, tests/test_parse_fast.py).
NOT_NAMES = frozenset(w.upper() for w in RESERVED) | {
    "ADD", "ALTER", "BEGIN", "BETWEEN", "COLUMNS", "COMPOUND", "CONNECT_BY_ROOT", "DESCRIBE",
    "DISTKEY", "DISTSTYLE", "DROP", "EXCLUDE", "FUNCTION", "GLOB", "INDEX", "INSERT",
    "PARTITION", "PARTITIONED_BY", "QUALIFY", "REGEXP", "RENAME", "REVOKE", "RLIKE",
    "ROLLBACK", "SORTKEY", "UNCACHE", "UNKNOWN", "UNNEST", "VALUES", "XOR",
}  # fmt: skip

# Type spellings (upper-case words) → (canonical name, sqlglot's spelling, parameters
# allowed): what `sqlglot_ops.data_type` gives for them.
TYPES: dict[tuple[str, ...], tuple[str, str, int]] = {
    ("TEXT",): ("text", "TEXT", 0),
    ("INTEGER",): ("integer", "INT", 0),
    ("INT",): ("integer", "INT", 0),
    ("INT4",): ("integer", "INT", 0),
    ("BIGINT",): ("bigint", "BIGINT", 0),
    ("INT8",): ("bigint", "BIGINT", 0),
    ("SMALLINT",): ("smallint", "SMALLINT", 0),
    ("INT2",): ("smallint", "SMALLINT", 0),
    ("BOOLEAN",): ("boolean", "BOOLEAN", 0),
    ("BOOL",): ("boolean", "BOOLEAN", 0),
    ("SERIAL",): ("serial", "SERIAL", 0),
    ("BIGSERIAL",): ("bigserial", "BIGSERIAL", 0),
    ("SMALLSERIAL",): ("smallserial", "SMALLSERIAL", 0),
    ("JSONB",): ("jsonb", "JSONB", 0),
    ("JSON",): ("json", "JSON", 0),
    ("UUID",): ("uuid", "UUID", 0),
    ("BYTEA",): ("bytea", "BYTEA", 0),
    ("DATE",): ("date", "DATE", 0),
    ("REAL",): ("real", "REAL", 0),
    ("DOUBLE", "PRECISION"): ("double precision", "DOUBLE PRECISION", 0),
    ("INET",): ("inet", "INET", 0),
    ("VARCHAR",): ("varchar", "VARCHAR", 1),
    ("CHARACTER", "VARYING"): ("varchar", "VARCHAR", 1),
    ("CHAR",): ("char", "CHAR", 1),
    ("CHARACTER",): ("char", "CHAR", 1),
    ("NUMERIC",): ("numeric", "DECIMAL", 2),
    ("DECIMAL",): ("numeric", "DECIMAL", 2),
    ("TIMESTAMPTZ",): ("timestamptz", "TIMESTAMPTZ", 1),
}
# TIMESTAMP and TIME, which may be followed by WITH / WITHOUT TIME ZONE.
ZONED = {
    "TIMESTAMP": (("timestamp", "TIMESTAMP"), ("timestamptz", "TIMESTAMPTZ")),
    "TIME": (("time", "TIME"), ("timetz", "TIMETZ")),
}
_LONGEST_TYPE = max(len(k) for k in TYPES)
# Default values: the functions called without arguments, as sqlglot writes the call.
CALLS = {
    "NOW": "CURRENT_TIMESTAMP",
    "GEN_RANDOM_UUID": "GEN_RANDOM_UUID()",
    "UUID_GENERATE_V4": "UUID_GENERATE_V4()",
}
CONSTANTS = {
    "TRUE": "TRUE",
    "FALSE": "FALSE",
    "NULL": "NULL",
    "CURRENT_TIMESTAMP": "CURRENT_TIMESTAMP",
}
_SERIALS = frozenset({"serial", "bigserial", "smallserial"})
_PG_ALIASES = frozenset({"serial2", "serial4", "serial8", "varbit"})  # sqlglot_ops renames these
_REFERENTIAL_ACTIONS = (("CASCADE",), ("RESTRICT",), ("NO", "ACTION"), ("SET", "NULL"))


class _Reject(Exception):
    """The statement is not exactly a shape these readers know: sqlglot reads it."""


class _Cursor:
    """The tokens of one statement and the reader's position in them."""

    __slots__ = ("i", "tokens", "words")

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.words = [t.value if t.kind == WORD else None for t in tokens]  # for `at`
        self.i = 0

    def done(self) -> bool:
        return self.i >= len(self.tokens)

    def next(self) -> Token:
        if self.i >= len(self.tokens):
            raise _Reject
        token = self.tokens[self.i]
        self.i += 1
        return token

    def at(self, *words: str) -> bool:
        """Do the next tokens spell `words` (upper-case bare words)?"""
        if len(words) == 1:
            return self.i < len(self.words) and self.words[self.i] == words[0]
        return tuple(self.words[self.i : self.i + len(words)]) == words

    def take(self, *words: str) -> bool:
        if self.at(*words):
            self.i += len(words)
            return True
        return False

    def expect(self, *words: str) -> None:
        if not self.take(*words):
            raise _Reject

    def at_punct(self, mark: str, ahead: int = 0) -> bool:
        """Is the next token (or the one `ahead` of it) the punctuation `mark`?"""
        i = self.i + ahead
        if i >= len(self.tokens):
            return False
        token = self.tokens[i]
        return token.kind == PUNCT and token.value == mark

    def take_punct(self, mark: str) -> bool:
        if self.at_punct(mark):
            self.i += 1
            return True
        return False

    def expect_punct(self, mark: str) -> None:
        if not self.take_punct(mark):
            raise _Reject

    def end_of_item(self) -> bool:
        """At the end of a column definition or action: `,`, `)` or the statement's end."""
        return self.done() or self.at_punct(",") or self.at_punct(")")


def read_ddl(text: str, loc: ops.Location) -> list[ops.Op] | None:
    """The Ops of a CREATE TABLE, CREATE INDEX or ALTER TABLE (comments blanked) of a
    shape read here, as sqlglot's path gives them; None for any other statement."""
    c = _Cursor(tokenize(text))
    try:
        if c.take("CREATE"):
            if c.take("TABLE"):
                found: list[ops.Op] = [_create_table(c, loc)]
            else:
                unique = c.take("UNIQUE")
                c.expect("INDEX")
                found = [_create_index(c, loc, unique)]
        else:
            c.expect("ALTER", "TABLE")
            found = _alter_table(c, text, loc)
    except _Reject:
        return None
    return found if c.done() else None


# -- names, types, values --------------------------------------------------------


def _name(c: _Cursor) -> str:
    """One identifier as the database stores it."""
    token = c.next()
    if token.kind == QUOTED:
        return token.value
    if token.kind == WORD and token.value not in NOT_NAMES:
        return token.text.lower()
    raise _Reject


def _qualified(c: _Cursor) -> ops.Name:
    """A name of up to three dotted parts; the last two count."""
    parts = [_name(c)]
    while len(parts) < 3 and c.take_punct("."):
        parts.append(_name(c))
    return ops.Name(parts[-1], parts[-2] if len(parts) > 1 else None)


def _names(c: _Cursor) -> tuple[str, ...]:
    """`(a, b, …)`."""
    c.expect_punct("(")
    found = [_name(c)]
    while c.take_punct(","):
        found.append(_name(c))
    c.expect_punct(")")
    return tuple(found)


def _integer(c: _Cursor) -> int:
    token = c.next()
    if token.kind != NUMBER or not token.value.isdigit():
        raise _Reject
    return int(token.value)


def _params(c: _Cursor, allowed: int) -> tuple[int, ...]:
    """A type's `(n)` or `(p, s)`, when the type takes up to `allowed` of them."""
    if not c.take_punct("("):
        return ()
    found = [_integer(c)]
    while c.take_punct(","):
        found.append(_integer(c))
    c.expect_punct(")")
    if len(found) > allowed:
        raise _Reject
    return tuple(found)


def _type(c: _Cursor) -> ops.DataType:
    """A column type: a built-in of the tables above or a quoted user-defined name,
    optionally an array (`[]` or `ARRAY`)."""
    token = c.next()
    if token.kind == QUOTED:
        name, sql = _user_type(c, token)
        params = ()
    elif token.kind == WORD and token.value in ZONED:
        params = _params(c, 1)
        zoned = c.take("WITH", "TIME", "ZONE")
        if not zoned:
            c.take("WITHOUT", "TIME", "ZONE")
        name, sql = ZONED[token.value][zoned]
    elif token.kind == WORD:
        name, sql, params = _builtin(c, token)
    else:
        raise _Reject
    if params:
        sql += "(" + ", ".join(map(str, params)) + ")"
    array = c.take_punct("[")
    if array:
        c.expect_punct("]")
    elif c.at("ARRAY") and not c.at_punct("[", ahead=1):  # the standard's `text ARRAY`
        array = c.take("ARRAY")
    if array:
        sql += "[]"
    return ops.DataType(name, params, array=array, sql=sql)


def _user_type(c: _Cursor, first: Token) -> tuple[str, str]:
    """A quoted user-defined type, maybe schema-qualified (`"public"."Status"`): its
    name without `public.` or `pg_catalog.`, and its SQL as written."""
    parts, written = [first.value], [first.text]
    while c.take_punct("."):
        token = c.next()
        if token.kind != QUOTED:
            raise _Reject
        parts.append(token.value)
        written.append(token.text)
    if len(parts) > 2 or parts[-1] in _PG_ALIASES:
        raise _Reject
    if len(parts) > 1 and parts[0] in ("public", "pg_catalog"):
        parts = parts[-1:]
    return ".".join(parts), ".".join(written)


def _builtin(c: _Cursor, first: Token) -> tuple[str, str, tuple[int, ...]]:
    """A built-in type of `TYPES` starting at `first`: the longest spelling that fits."""
    words = [first.value]
    for token in c.tokens[c.i : c.i + _LONGEST_TYPE - 1]:
        if token.kind != WORD:
            break
        words.append(token.value)
    for length in range(min(len(words), _LONGEST_TYPE), 0, -1):
        found = TYPES.get(tuple(words[:length]))
        if found is not None:
            c.i += length - 1
            name, sql, allowed = found
            return name, sql, _params(c, allowed)
    raise _Reject


def _default(c: _Cursor) -> ops.Default:
    """A default: a literal, a string or `ARRAY[]` cast to a type, or a call of `CALLS`."""
    token = c.next()
    if token.kind == STRING or (token.kind == WORD and token.value == "ARRAY"):
        if token.kind == WORD:  # the empty ARRAY[]
            c.expect_punct("[")
            c.expect_punct("]")
        sql = token.text if token.kind == STRING else "ARRAY[]"
        if c.take_punct("::"):
            sql = f"CAST({sql} AS {_type(c).sql})"
    elif token.kind == NUMBER:
        sql = token.value
    elif token.kind == PUNCT and token.value == "-":
        number = c.next()
        if number.kind != NUMBER:
            raise _Reject
        sql = "-" + number.value
    elif token.kind == WORD and token.value in CONSTANTS:
        sql = CONSTANTS[token.value]
    elif token.kind == WORD and token.value in CALLS:
        c.expect_punct("(")
        c.expect_punct(")")
        sql = CALLS[token.value]
    else:
        raise _Reject
    if c.at_punct("::"):  # a cast of anything but a string is written otherwise
        raise _Reject
    return ops.Default(sql, volatile=is_volatile_expression(sql))


# -- constraints -----------------------------------------------------------------


def _references(c: _Cursor) -> ops.ForeignKeyRef:
    """`REFERENCES t [(cols)]` (already past REFERENCES) and its referential actions,
    which no Op keeps."""
    table = _qualified(c)
    columns = _names(c) if c.at_punct("(") else ()
    while True:
        if c.take("ON", "DELETE") or c.take("ON", "UPDATE"):
            if not any(c.take(*action) for action in _REFERENTIAL_ACTIONS):
                raise _Reject
        elif not _deferrable(c):
            return ops.ForeignKeyRef(table, columns)


def _deferrable(c: _Cursor) -> bool:
    """One DEFERRABLE / NOT DEFERRABLE / INITIALLY … / MATCH … clause, which no Op keeps."""
    return (
        c.take("MATCH", "SIMPLE")
        or c.take("MATCH", "FULL")
        or c.take("DEFERRABLE")
        or c.take("NOT", "DEFERRABLE")
        or c.take("INITIALLY", "DEFERRED")
        or c.take("INITIALLY", "IMMEDIATE")
    )


def _table_constraint(c: _Cursor, not_valid: bool = False) -> ops.Constraint:
    """`[CONSTRAINT n] PRIMARY KEY (…) | UNIQUE (…) | FOREIGN KEY (…) REFERENCES …`; only
    a foreign key keeps `not_valid`, as sqlglot's path gives it."""
    name = _name(c) if c.take("CONSTRAINT") else None
    if c.take("FOREIGN", "KEY"):
        columns = _names(c)
        c.expect("REFERENCES")
        return ops.Constraint("foreign_key", name, columns, _references(c), not_valid=not_valid)
    if c.take("PRIMARY", "KEY"):
        kind = "primary_key"
    elif c.take("UNIQUE"):
        kind = "unique"
    else:
        raise _Reject
    columns = _names(c)
    while _deferrable(c):
        pass
    return ops.Constraint(kind, name, columns)


def _at_table_constraint(c: _Cursor) -> bool:
    return c.at("CONSTRAINT") or c.at("PRIMARY") or c.at("UNIQUE") or c.at("FOREIGN")


def _column(c: _Cursor) -> ops.Column:
    """A column definition: name, type, then NOT NULL / NULL / DEFAULT / PRIMARY KEY /
    UNIQUE / REFERENCES / GENERATED … AS IDENTITY in any order, as sqlglot folds them."""
    name = _name(c)
    dtype = _type(c)
    nullable, default, identity = True, None, False
    inline: list[ops.Constraint] = []
    while not c.end_of_item():
        cname = _name(c) if c.take("CONSTRAINT") else None
        if c.take("NOT", "NULL"):
            nullable = False
        elif c.take("NULL"):
            nullable = True
        elif c.take("PRIMARY", "KEY"):
            nullable = False
            inline.append(ops.Constraint("primary_key", cname, (name,)))
        elif c.take("UNIQUE"):
            inline.append(ops.Constraint("unique", cname, (name,)))
        elif c.take("REFERENCES"):
            inline.append(ops.Constraint("foreign_key", cname, (name,), _references(c)))
        elif cname is None and c.take("DEFAULT"):
            default = _default(c)
        elif cname is None and c.take("GENERATED"):
            if not c.take("ALWAYS"):
                c.expect("BY", "DEFAULT")
            c.expect("AS", "IDENTITY")
            identity, nullable = True, False
        else:
            raise _Reject
    if dtype.name in _SERIALS:
        nullable = False
    return ops.Column(name, dtype, nullable, default, identity, False, tuple(inline))


# -- statements ------------------------------------------------------------------


def _create_table(c: _Cursor, loc: ops.Location) -> ops.CreateTable:
    """`CREATE TABLE [IF NOT EXISTS] t (columns and constraints)` (past CREATE TABLE)."""
    if_not_exists = c.take("IF", "NOT", "EXISTS")
    table = _qualified(c)
    c.expect_punct("(")
    columns: list[ops.Column] = []
    constraints: list[ops.Constraint] = []
    while True:
        if _at_table_constraint(c):
            constraints.append(_table_constraint(c))
        else:
            columns.append(_column(c))
        if not c.take_punct(","):
            break
    c.expect_punct(")")
    return ops.CreateTable(
        loc=loc,
        table=table,
        columns=tuple(columns),
        constraints=tuple(constraints),
        if_not_exists=if_not_exists,
    )


def _create_index(c: _Cursor, loc: ops.Location, unique: bool) -> ops.CreateIndex:
    """`CREATE [UNIQUE] INDEX [CONCURRENTLY] [[IF NOT EXISTS] name] ON [ONLY] t
    [USING method] (columns [ASC|DESC] [NULLS FIRST|LAST]) [INCLUDE (…)] [WHERE c IS
    [NOT] NULL]` (past INDEX)."""
    concurrently = c.take("CONCURRENTLY")
    if_not_exists = c.take("IF", "NOT", "EXISTS")
    name = None if c.at("ON") and not if_not_exists else _name(c)
    c.expect("ON")
    c.take("ONLY")
    table = _qualified(c)
    if c.take("USING"):
        _name(c)
    c.expect_punct("(")
    columns = [_index_column(c)]
    while c.take_punct(","):
        columns.append(_index_column(c))
    c.expect_punct(")")
    if c.take("INCLUDE"):
        _names(c)
    where = _null_test(c) if c.take("WHERE") else None
    return ops.CreateIndex(
        loc=loc,
        table=table,
        name=name,
        columns=tuple(columns),
        unique=unique,
        concurrently=concurrently,
        if_not_exists=if_not_exists,
        where=where,
    )


def _null_test(c: _Cursor) -> str:
    """`[(] column IS [NOT] NULL [)]` (past WHERE), as sqlglot writes it."""
    paren = c.take_punct("(")
    written = _column_reference(c)[0]
    c.expect("IS")
    test = "IS NOT NULL" if c.take("NOT") else "IS NULL"
    c.expect("NULL")
    if paren:
        c.expect_punct(")")
        return f"({written} {test})"
    return f"{written} {test}"


def _index_column(c: _Cursor) -> str:
    """One key column, without its ordering (its name is what the Op keeps)."""
    name = _name(c)
    if not c.take("ASC"):
        c.take("DESC")
    if not c.take("NULLS", "FIRST"):
        c.take("NULLS", "LAST")
    return name


def _alter_table(c: _Cursor, text: str, loc: ops.Location) -> list[ops.Op]:
    """`ALTER TABLE [IF EXISTS] [ONLY] t action, …` (past ALTER TABLE)."""
    c.take("IF", "EXISTS")
    c.take("ONLY")
    table = _qualified(c)
    if c.at("RENAME"):
        return [_rename(c, table, loc)]
    if "RENAME" in text.upper():  # sqlglot's path reads any trailing `RENAME a TO b` so
        raise _Reject
    found: list[ops.Op] = []
    while True:
        found.append(_action(c, table, loc))
        if not c.take_punct(","):
            break
    if c.take("NOT", "VALID"):  # a foreign key's only: PostgreSQL rejects it elsewhere
        added = found[0]
        if len(found) != 1 or not isinstance(added, ops.AddConstraint):
            raise _Reject
        if added.constraint.kind != "foreign_key":
            raise _Reject
        found = [replace(added, constraint=replace(added.constraint, not_valid=True))]
    return found


def _rename(c: _Cursor, table: ops.Name, loc: ops.Location) -> ops.Op:
    """`RENAME [COLUMN] a TO b`, `RENAME CONSTRAINT a TO b` or `RENAME TO t`, the
    statement's only action."""
    c.expect("RENAME")
    if c.take("TO"):
        return ops.RenameTable(loc=loc, table=table, new_name=_qualified(c).name)
    if c.take("CONSTRAINT"):
        old = _name(c)
        c.expect("TO")
        return ops.RenameConstraint(loc=loc, table=table, name=old, new_name=_name(c))
    c.take("COLUMN")
    old = _name(c)
    c.expect("TO")
    return ops.RenameColumn(loc=loc, table=table, column=old, new_name=_name(c))


def _action(c: _Cursor, table: ops.Name, loc: ops.Location) -> ops.Op:
    """One ADD, DROP or ALTER COLUMN action of an ALTER TABLE."""
    if c.take("ADD"):
        if _at_table_constraint(c):
            return ops.AddConstraint(loc=loc, table=table, constraint=_table_constraint(c))
        c.take("COLUMN")
        if_not_exists = c.take("IF", "NOT", "EXISTS")
        return ops.AddColumn(loc=loc, table=table, column=_column(c), if_not_exists=if_not_exists)
    if c.take("DROP"):
        constraint = c.take("CONSTRAINT")
        if not constraint:
            c.take("COLUMN")
        if_exists = c.take("IF", "EXISTS")
        name = _name(c)
        cascade = c.take("CASCADE")
        if not cascade:
            c.take("RESTRICT")
        if constraint:
            return ops.DropConstraint(
                loc=loc, table=table, name=name, if_exists=if_exists, cascade=cascade
            )
        return ops.DropColumn(
            loc=loc, table=table, column=name, if_exists=if_exists, cascade=cascade
        )
    c.expect("ALTER")
    c.take("COLUMN")
    column = _name(c)
    if c.take("SET", "NOT", "NULL"):
        return ops.SetNotNull(loc=loc, table=table, column=column)
    if c.take("DROP", "NOT", "NULL"):
        return ops.DropNotNull(loc=loc, table=table, column=column)
    if c.take("DROP", "DEFAULT"):
        return ops.DropDefault(loc=loc, table=table, column=column)
    if c.take("SET", "DEFAULT"):
        return ops.SetDefault(loc=loc, table=table, column=column, default=_default(c))
    if not c.take("TYPE"):
        c.expect("SET", "DATA", "TYPE")
    dtype = _type(c)
    using, casts = _using(c, column) if c.take("USING") else (None, None)
    return ops.AlterColumnType(
        loc=loc, table=table, column=column, type=dtype, using=using, using_casts=casts
    )


def _using(c: _Cursor, column: str) -> tuple[str, tuple[ops.DataType, ...] | None]:
    """`USING name[::type…]` (past USING): its SQL as sqlglot writes it, and the casts it
    applies to the column (None when it names another)."""
    written, name = _column_reference(c)
    casts: list[ops.DataType] = []
    while c.take_punct("::"):
        casts.append(_type(c))
        written = f"CAST({written} AS {casts[-1].sql})"
    return written, tuple(casts) if name == column else None


def _column_reference(c: _Cursor) -> tuple[str, str]:
    """A column named in an expression: as sqlglot writes it, and its name."""
    start = c.i
    name = _name(c)
    return c.tokens[start].text, name
