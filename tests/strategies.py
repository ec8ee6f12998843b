"""Hypothesis strategies for migration SQL: DDL-like scripts, valid and broken, and
mutations of real migration files.

A script is drawn as statements from templates (PostgreSQL, MySQL or SQLite flavoured),
joined by delimiters, blanks and comments with every kind of line end; `mutated` then
breaks any text the way hostile or careless input does: truncations, deletions,
duplications, and splices of the tokens that change how a lexer reads what follows
(quotes, comment openers, dollar tags, psql backslashes, executable comments, CRs).
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import strategies as st

NAMES = st.sampled_from(["users", "orders", "t", "a_b", "x1", "public.items", "s.t"])
QUOTED = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=8
).map(lambda name: '"' + name.replace('"', '""') + '"')
IDENTIFIERS = st.one_of(NAMES, QUOTED)
TYPES = st.sampled_from(
    [
        "int",
        "bigint",
        "text",
        "varchar(20)",
        "char(3)",
        "timestamp",
        "timestamptz",
        "json",
        "jsonb",
        "numeric(10, 2)",
        "serial",
        "boolean",
        "int[]",
        "uuid",
        "foo",
    ]
)
VALUES = st.sampled_from(
    ["0", "1", "NULL", "'x'", "'it''s'", "E'\\n'", "now()", "$$v$$", "'{1,2}'", "-1.5e3"]
)

# Tokens that change how everything after them is read.
LEXICAL_TOKENS = [
    "'",
    '"',
    "`",
    "$$",
    "$a$",
    "$1",
    "--",
    "#",
    "/*",
    "*/",
    "/*!",
    "/*!40000 ",
    "/*M!100100 ",
    "\\",
    "\\gexec\n",
    "\\i x.sql\n",
    "\\! echo\n",
    "\\\\",
    "\\;",
    "E'\\'",
    "e'",
    "U&'",
    ";",
    ";;",
    "\r",
    "\n",
    "\r\n",
    "\t",
    "\x00",
    "\ufeff",
    "\u2028",
    "{{ .x }}",
    "${p}",
    "DELIMITER //\n",
    "\nDELIMITER ;\n",
    "BEGIN",
    "END",
    "CASE",
    "END IF",
    "IF",
    "THEN",
    "DO $$",
    "CREATE TRIGGER tr ",
    "CREATE PROCEDURE p() ",
    "COPY t FROM stdin;\n",
    "\\.\n",
    "SET standard_conforming_strings = off;",
    "SET sql_mode='NO_BACKSLASH_ESCAPES';",
    "(",
    ")",
    "((((((((((",
    "))))))))))",
    ",",
    ".",
    "::",
    "é",
    "\U0001f600",
]


@st.composite
def column(draw: st.DrawFn) -> str:
    parts = [draw(IDENTIFIERS), draw(TYPES)]
    parts += draw(
        st.lists(
            st.sampled_from(
                [
                    "NOT NULL",
                    "NULL",
                    "PRIMARY KEY",
                    "UNIQUE",
                    f"DEFAULT {draw(VALUES)}",
                    "REFERENCES users (id)",
                    "CHECK (x > 0)",
                    "GENERATED ALWAYS AS IDENTITY",
                ]
            ),
            max_size=2,
        )
    )
    return " ".join(parts)


def _templates(draw: st.DrawFn) -> list[Callable[[], str]]:
    """Builders of one statement each; only the one chosen draws its parts."""

    def table() -> str:
        return draw(IDENTIFIERS)

    def value() -> str:
        return draw(VALUES)

    def kind() -> str:
        return draw(TYPES)

    def maybe(word: str) -> str:
        return draw(st.sampled_from(["", word]))

    col = table
    return [
        lambda: (
            f"CREATE TABLE {table()} ("
            + ", ".join(draw(st.lists(column(), min_size=1, max_size=4)))
            + ")"
        ),
        lambda: f"CREATE TABLE IF NOT EXISTS {table()} (id bigint PRIMARY KEY)",
        lambda: f"ALTER TABLE {table()} ADD COLUMN {draw(column())}",
        lambda: f"ALTER TABLE {table()} DROP COLUMN {col()}",
        lambda: f"ALTER TABLE {table()} RENAME COLUMN {col()} TO {col()}",
        lambda: f"ALTER TABLE {table()} ALTER COLUMN {col()} TYPE {kind()}",
        lambda: f"ALTER TABLE {table()} ALTER COLUMN {col()} SET NOT NULL",
        lambda: (
            f"ALTER TABLE {table()} ADD CONSTRAINT c FOREIGN KEY ({col()}) REFERENCES users (id)"
        ),
        lambda: f"CREATE {maybe('UNIQUE ')}INDEX {maybe('CONCURRENTLY ')}i ON {table()} ({col()})",
        lambda: f"DROP INDEX {maybe('CONCURRENTLY ')}i",
        lambda: f"DROP TABLE {maybe('IF EXISTS ')}{table()}",
        lambda: f"TRUNCATE {table()}",
        lambda: f"UPDATE {table()} SET {col()} = {value()}",
        lambda: f"DELETE FROM {table()}",
        lambda: f"INSERT INTO {table()} VALUES ({value()})",
        lambda: f"LOCK TABLE {table()} IN ACCESS EXCLUSIVE MODE",
        lambda: f"SET lock_timeout = '{draw(st.integers(0, 9))}s'",
        lambda: "BEGIN",
        lambda: "COMMIT",
        lambda: (
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1) THEN ALTER TABLE {table()} ADD COLUMN c "
            "int; END IF; END $$"
        ),
        lambda: (
            "CREATE FUNCTION f() RETURNS trigger AS $f$ BEGIN RETURN NEW; END $f$ LANGUAGE plpgsql"
        ),
        lambda: f"CREATE PROCEDURE p() BEGIN UPDATE {table()} SET a = 1; END",
        lambda: f"CREATE TRIGGER tr AFTER INSERT ON {table()} BEGIN DELETE FROM u; END",
        lambda: f"COMMENT ON TABLE {table()} IS {value()}",
        lambda: f"ALTER TYPE mood ADD VALUE {value()}",
        lambda: f"VACUUM FULL {table()}",
        lambda: f"REINDEX TABLE {table()}",
    ]


@st.composite
def statement(draw: st.DrawFn) -> str:
    """One DDL or data statement, valid or nearly so."""
    return draw(st.sampled_from(_templates(draw)))()


SEPARATORS = st.sampled_from(
    [
        ";\n",
        ";\r\n",
        ";\r",
        "; ",
        ";\n-- note\n",
        ";\r-- note\r",
        ";\n/* a /* b */ */\n",
        ";\n# c\n",
        "\n\\gexec\n",
        ";\n-- migralint: ignore drop-table -- reason\n",
    ]
)


@st.composite
def script(draw: st.DrawFn) -> str:
    """A migration script of a few statements."""
    statements = draw(st.lists(statement(), min_size=1, max_size=6))
    text = statements[0]
    for stmt in statements[1:]:
        text += draw(SEPARATORS) + stmt
    return text + draw(st.sampled_from(["", ";", ";\n", "\n"]))


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """`text` broken by a few truncations, deletions, duplications and token splices."""
    for _ in range(draw(st.integers(0, 4))):
        size = len(text)
        at = draw(st.integers(0, size))
        kind = draw(st.sampled_from(["splice", "splice", "truncate", "delete", "repeat", "raw"]))
        if kind == "splice":
            text = text[:at] + draw(st.sampled_from(LEXICAL_TOKENS)) + text[at:]
        elif kind == "truncate":
            text = text[:at]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif kind == "repeat":
            piece = text[at : at + draw(st.integers(1, 60))]
            text = text[:at] + piece * draw(st.integers(2, 20)) + text[at:]
        else:
            text = text[:at] + draw(st.text(max_size=12)) + text[at:]
    return text


DIALECTS = st.sampled_from(["postgres", "postgres", "mysql", "sqlite"])


@st.composite
def broken_script(draw: st.DrawFn) -> str:
    """A drawn script, valid or broken."""
    return draw(mutated(draw(script())))
