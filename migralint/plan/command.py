"""`migralint plan`: the command line of the expand/contract planner.

Only click is imported at module level: the planner itself is imported inside the
commands, so `migralint check` (which registers this group) never loads it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from migralint.plan.from_file import Replacement

EXIT_USAGE = 2


def _fail(message: str) -> NoReturn:
    click.echo(f"migralint: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


@contextmanager
def _refusals() -> Iterator[None]:
    """A refused plan, a bad configuration or an unreadable file: one line, exit 2."""
    from migralint.config import ConfigError
    from migralint.plan.model import PlanError

    try:
        yield
    except (PlanError, ConfigError) as error:
        _fail(str(error))
    except OSError as error:
        _fail(_os_error(error))


_PLAN_FORMATS = ["sql", "golang-migrate", "flyway", "dbmate", "alembic"]


class _PlanGroup(click.Group):
    """`migralint plan`: one sub-command per operation, built from its Change dataclass
    only when asked for, so `migralint check` never imports the planner."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from migralint.plan.operations import OPERATIONS

        return sorted(OPERATIONS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        from migralint.plan.operations import OPERATIONS

        if name not in OPERATIONS:
            return None
        import importlib

        return _plan_command(name, importlib.import_module(OPERATIONS[name]))


@click.group(cls=_PlanGroup, invoke_without_command=True)
@click.option(
    "--from",
    "source",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Replace the risky statements of this migration by their plans.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_PLAN_FORMATS),
    help="File layout (default: that of the migrations in the --out folder, else sql).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write into (default: the --from file's folder).",
)
@click.pass_context
def plan(ctx: click.Context, source: Path | None, fmt: str | None, out: Path | None) -> None:
    """Write the expand / migrate / contract migrations for a risky change."""
    if ctx.invoked_subcommand is not None:
        return
    if source is None:
        click.echo(ctx.get_help())
        return
    _plan_from(source, fmt, out or source.parent)


def _plan_from(source: Path, fmt: str | None, out: Path) -> None:
    """Write the plans replacing `source`'s risky statements, and what was kept."""
    from migralint.engine import settings_for
    from migralint.plan.destination import destination
    from migralint.plan.from_file import combined, replacements
    from migralint.plan.write import write_plan

    with _refusals():
        out, fmt = destination(out, fmt, source.parent)
        found = replacements(source, settings_for([source]))
        kept = [r for r in found if r.plan is None]
        for r in kept:
            if r.note:
                click.echo(f"line {r.line}: kept as written, plan it by hand: {r.note}")
            elif r.flagged:
                click.echo(f"line {r.line}: kept as written, no plan for: {', '.join(r.flagged)}")
        if len(kept) == len(found):
            click.echo(_nothing_planned(source, kept))
            return
        planned = combined(source, found)
        written = write_plan(planned, fmt, out)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(planned.summary)
    click.echo(f"Remove {source} once the files above replace it (it was not changed).")


def _nothing_planned(source: Path, kept: list[Replacement]) -> str:
    """The last line when no statement of `source` got a plan: whether some still need
    one (kept for the user to plan by hand, listed above) or none did."""
    risky = sorted({r.line for r in kept if r.note or r.flagged})
    if not risky:
        return f"{source}: no statement needs an expand/contract plan; nothing written"
    lines = ", ".join(str(line) for line in risky)
    return (
        f"{source}: nothing planned, nothing written: every flagged statement is kept as "
        f"written, for the reasons above (line {lines})"
    )


def _os_error(error: OSError) -> str:
    """An error reading the migrations, on one line."""
    from migralint.plan.model import shown

    return shown(f"cannot read {error.filename or 'the migrations'}: {error.strerror or error}")


def _plan_command(name: str, module: Any) -> click.Command:
    """A click command whose options are the operation's Change fields."""
    import dataclasses
    import typing

    from migralint.sql.ops import Name

    hints = typing.get_type_hints(module.Change)
    params: list[click.Parameter] = [
        click.Option(
            ["--format", "fmt"],
            type=click.Choice(_PLAN_FORMATS),
            help="File layout (default: that of the migrations in the --out folder, else sql).",
        ),
        click.Option(
            ["--out"],
            type=click.Path(file_okay=False, path_type=Path),
            help="Folder to write into, numbered after its newest migration (default: the "
            "folder of the migration set found under the current directory).",
        ),
    ]
    if "dialect" not in hints:
        params.append(
            click.Option(
                ["--dialect"],
                type=click.Choice(["postgres"]),
                default="postgres",
                help="This operation plans PostgreSQL migrations (rename-column also MySQL).",
            )
        )
    for f in dataclasses.fields(module.Change):
        if hints[f.name] is Name:
            params.append(click.Option([f"--{f.name}"], required=True, help="The table."))
            params.append(click.Option(["--schema"], help="The table's schema."))
            continue
        flag = f"--{f.name.replace('_', '-')}"
        if hints[f.name] is bool:
            params.append(click.Option([flag, f.name], is_flag=True, help=f.metadata.get("help")))
            continue
        # A required option gets no default at all: click 8.3+ takes an explicit None
        # default as a value and would not report the option missing.
        required = f.default is dataclasses.MISSING
        default = {} if required else {"default": f.default, "show_default": f.default is not None}
        params.append(
            click.Option(
                [flag, f.name],
                type=_option_type(f.metadata.get("choices"), hints[f.name]),
                required=required,
                help=f.metadata.get("help"),
                **default,
            )
        )

    def run(fmt: str | None, out: Path | None, schema: str | None = None, **values: Any) -> None:
        from migralint.plan.destination import destination
        from migralint.plan.write import write_plan
        from migralint.sql.ops import Name

        values["table"] = Name(values["table"], schema)
        if "dialect" not in hints:
            values.pop("dialect")
        with _refusals():
            _check_sql_options(values)
            out, fmt = destination(out, fmt, Path("."))
            _complete_from_migrations(values, out)
            planned = module.plan(module.Change(**values))
            written = write_plan(planned, fmt, out)
        for path in written:
            click.echo(f"wrote {path}")
        click.echo(planned.summary)

    doc = (module.__doc__ or name).strip().splitlines()[0]
    return click.Command(name, params=params, callback=run, help=doc)


# Options holding SQL the plan writes: re-rendered so that nothing else is pasted.
_EXPRESSION_OPTIONS = ("where", "default", "using", "reverse_using", "check", "backfill")
_TYPE_OPTIONS = ("type", "from_type")


def _check_sql_options(values: dict[str, Any]) -> None:
    """Replace each SQL option given by its checked, re-rendered form (PlanError if it is
    not exactly one expression, or one type)."""
    from migralint.plan import expressions

    for name, value in values.items():
        if not isinstance(value, str):
            continue
        flag = f"--{name.replace('_', '-')}"
        if name in _EXPRESSION_OPTIONS:
            values[name] = expressions.expression(value, flag)
        elif name in _TYPE_OPTIONS:
            values[name] = expressions.sql_type(value, flag)


def _option_type(choices: list[str] | None, hint: Any) -> click.ParamType | type:
    """A Change field's click type: its `choices` metadata, else int or str."""
    if choices:
        return click.Choice(choices)
    return int if hint is int else str


def _complete_from_migrations(values: dict[str, Any], out: Path) -> None:
    """Fill the column's current type from the migrations in `out` when not given, and
    refuse a batching --key that those migrations show is no unique key of the table."""
    from migralint.engine import build_catalog
    from migralint.plan.model import PlanError

    if not out.is_dir():
        return
    catalog = build_catalog([out])
    table = values["table"]
    if "column" in values:
        known = catalog.column(table, values["column"])
        for field in ("type", "from_type"):
            if field in values and values[field] is None and known and known.type:
                values[field] = str(known.type)
        if "from_collation" in values and values["from_collation"] is None and known:
            values["from_collation"] = known.collation
    key = values.get("key")
    key_column = catalog.column(table, key) if key is not None else None
    if (
        key is not None
        and catalog.table(table)
        and (not catalog.is_unique_key(table, key) or key_column is None or key_column.nullable)
    ):
        raise PlanError(
            f"the migrations in {out} give {table} no primary key or unique NOT NULL column {key} "
            "to batch the backfill by: pass --key naming one (a NOT NULL column with a "
            "unique index), or add a primary key first"
        )
