r"""psql meta-command in a migration: what it runs is not linted.

## What it does
Reports each psql meta-command (a backslash command such as `\i`, `\ir`, `\gexec`, `\!`,
`\connect`, `\set`, `\copy`, `\if`) in a PostgreSQL migration, at its line and column.
The statements around it are linted as psql runs them: a meta-command inside a statement
is left out of it, and `\g`, `\gexec` and the like end the statement they send.

## Why is this bad?
psql carries out these commands itself, so the SQL they run never appears in the file:
`\i other.sql` runs a whole other file, `\gexec` runs every value a query returns as a
statement, `\!` and backquoted arguments run shell commands, `\connect` sends the
statements after it to another database, and `\set` changes what `:name` stands for in
later statements. None of that is checked, and any tool other than psql rejects the file.

psql's own output and error-handling variables (`\set ON_ERROR_STOP on`, `\set ECHO all`,
`\set VERBOSITY verbose`, ...) change no statement and are not reported; `AUTOCOMMIT` and
`ON_ERROR_ROLLBACK` are, because they change how the statements after them commit.

## Example
```sql
SELECT format('DROP TABLE %I', tablename) FROM pg_tables WHERE tablename LIKE 'tmp_%' \gexec
```

## Use instead
Write the statements into the migration itself, where they are linted:
```sql
DROP TABLE IF EXISTS tmp_import;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import Raw

_INCLUDE = frozenset({"i", "ir", "include", "include_relative"})
_SEND = frozenset({"g", "gx", "gset", "gdesc", "crosstabview", "watch"})
_CONNECT = frozenset({"c", "connect"})
_VARIABLE = frozenset({"set", "unset", "setenv"})
_FILES = frozenset({"copy", "o", "out", "w", "write"})
_BRANCH = frozenset({"if", "elif", "else", "endif"})
# psql's special variables that change how later statements commit or roll back.
_TRANSACTION_VARIABLES = frozenset({"AUTOCOMMIT", "ON_ERROR_ROLLBACK"})
# psql's special variables that only shape its output and prompts or decide whether an
# error stops the script (psql documentation, "Variables"): they change no statement.
_PSQL_OWN_VARIABLES = frozenset(
    {
        "COMP_KEYWORD_CASE", "ECHO", "ECHO_HIDDEN", "FETCH_COUNT", "HIDE_TABLEAM",
        "HIDE_TOAST_COMPRESSION", "HISTCONTROL", "HISTFILE", "HISTSIZE", "IGNOREEOF",
        "ON_ERROR_STOP", "PROMPT1", "PROMPT2", "PROMPT3", "QUIET", "SHOW_ALL_RESULTS",
        "SHOW_CONTEXT", "SINGLELINE", "SINGLESTEP", "VERBOSITY",
    }
)  # fmt: skip


@rule(
    "psql-meta-command",
    category="correctness",
    severity="warning",
    dialects=("postgres", "cockroach"),
    on_fresh_install=True,
    on_new_tables=True,
)
def check(op: Raw, ctx: Context) -> Iterator[Violation]:
    if op.kind != "psql meta-command":
        return
    name, _, argument = op.command.partition(" ")
    argument = argument.strip()
    if name in ("set", "unset") and _changes_no_statement(argument):
        return
    what = _what_it_does(name, argument)
    if "`" in argument:
        what += "; its backquoted text runs as a shell command"
    yield ctx.finding(
        op,
        f"psql meta-command `\\{name}`: {what}",
        "Write the SQL into the migration itself so it is linted; a tool other than psql "
        "fails on this line.",
    )


def _variable(argument: str) -> str:
    """The variable a `\\set` or `\\unset` names."""
    return argument.split(maxsplit=1)[0] if argument else ""


def _changes_no_statement(argument: str) -> bool:
    """Whether `\\set` / `\\unset` of this argument only tunes psql's own output."""
    return _variable(argument) in _PSQL_OWN_VARIABLES and "`" not in argument


def _what_it_does(name: str, argument: str) -> str:
    """One line on what psql does for the meta-command."""
    target = f" {argument}" if argument else ""
    if name in _INCLUDE:
        return f"runs the SQL of the file{target}, which is not linted"
    if name == "gexec":
        return "runs every value the query returns as a SQL statement, none of which is linted"
    if name == "!":
        return f"runs the shell command{target or ' (an interactive shell)'}"
    if name in _SEND:
        return "sends the query (the previous one again when there is none)" + (
            ", piping its output to a shell command" if argument.startswith("|") else ""
        )
    if name in _CONNECT:
        return f"connects to{target or ' another database'}: the statements after it run there"
    if name in _VARIABLE and (variable := _variable(argument)) in _TRANSACTION_VARIABLES:
        return f"sets psql's {variable}, which changes how the statements after it commit"
    if name in _VARIABLE:
        return "sets a variable that changes what later statements say, which is not linted"
    if name in _FILES:
        shell = ", through a shell command" if "|" in argument or "program" in argument else ""
        return f"reads or writes a file on the machine that runs psql{shell}"
    if name in _BRANCH:
        return "runs the statements of its branch only when a condition holds"
    return "psql carries it out itself; what it does is not linted"
