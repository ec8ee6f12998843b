"""Help texts that several rules share: how to run a statement outside a transaction
with a given migration tool, and the `migralint plan` command for a change."""

from __future__ import annotations

import shlex

from migralint.sql.ops import Name

_OUTSIDE_TRANSACTION = {
    "flyway": "put it in a migration of its own and run that migration outside a "
    "transaction "
    "(Flyway: a `V…__name.sql.conf` beside it with `executeInTransaction=false`)",
    "golang-migrate": "put it alone in its own migration file, so no implicit transaction wraps it",
    "prisma": "put it alone in its own migration, so no implicit transaction wraps it",
    "popx": "move it to a `.autocommit.up.sql` migration of its own",
    "dbmate": "put it in its own migration marked `-- migrate:up transaction:false`",
    "diesel": "put it in its own migration whose `metadata.toml` says `run_in_transaction = false`",
    "sqlx": "put it in its own migration whose first line is `-- no-transaction`",
    "morph": "put it in its own migration whose first line is `-- morph:nontransactional`",
    "alembic": "run it in a `with op.get_context().autocommit_block():` block of its revision",
    "atlas": "put it in its own migration whose header is `-- atlas:txmode none` followed by "
    "a blank line",
    "sqitch": "put it in a deploy script of its own, outside the script's BEGIN … COMMIT",
}


def outside_transaction(tool: str) -> str:
    """How to get a statement out of the transaction the tool wraps around files."""
    return _OUTSIDE_TRANSACTION.get(
        tool, "run it outside any transaction block (no BEGIN, not in a wrapped migration)"
    )


def commit_after(tool: str, transaction: str | None, statement: str = "that statement") -> str:
    """How to end the transaction right after `statement`: a SQL file can COMMIT there;
    Alembic commits when the revision ends (`transaction`: per-file) or only when the
    whole run does (per-run: the default env.py)."""
    if tool != "alembic":
        return f"commit right after {statement}"
    if transaction == "per-run":
        return (
            "Alembic runs the whole upgrade in one transaction, so only a "
            f"`with op.get_context().autocommit_block():` block around what follows {statement}, "
            "or transaction_per_migration=True in env.py with what follows it in a revision of "
            "its own, commits sooner"
        )
    return (
        f"Alembic commits when the revision ends, so move what follows {statement} into a "
        "revision of its own"
    )


def client_default(tool: str, columns: str) -> str:
    """Why the default given to `columns` is no DEFAULT: only the application fills it in."""
    if tool == "alembic":
        return (
            f"`default=` on {columns} is applied by SQLAlchemy on INSERT and is not in the "
            "database: `server_default=…` gives the column a DEFAULT"
        )
    return f"the default of {columns} is filled in by the application, not by the database"


def first_upper(text: str) -> str:
    """`text` starting a sentence: its first letter upper-case, the rest as written."""
    return text[:1].upper() + text[1:]


def plan_command(operation: str, table: Name, **options: str) -> str:
    """The `migralint plan` command line that writes the safe phases for a change."""
    words = ["migralint", "plan", operation, "--table", table.name]
    if table.schema and table.schema != "public":
        words += ["--schema", table.schema]
    for key, value in options.items():
        words += [f"--{key.replace('_', '-')}", value]
    return " ".join(shlex.quote(w) for w in words)


def remove_later(what: str) -> str:
    """How to remove something release N-1 may still use: code first, drop a release later."""
    return (
        f"Remove every use of {what} from the code and ship that release first; then drop it "
        "in a later migration marked `-- migralint: phase=contract`."
    )


def rename_in_steps(old: str, new: str, bridge: str) -> str:
    """How to rename something release N-1 still uses by its old name; `bridge` says
    what keeps the old name working meanwhile."""
    return (
        f"Keep {old} working while release N-1 runs ({bridge}), switch the code to {new}, "
        f"and remove {old} a release later in a migration marked `-- migralint: phase=contract`."
    )


KEEP_A_COPY = (
    "The application is stopped while this runs, so no release breaks; but the data is gone "
    "for good: keep a backup or a copy of it if it may be needed again."
)
"""Help for a drop under an offline deployment, where only the data is at stake."""
