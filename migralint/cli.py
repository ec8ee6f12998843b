"""Command line: parse arguments, call the Python API, pick a formatter.

Exit codes: 0 no findings at or above error severity, 1 such findings, 2 usage or
configuration error. Heavy modules are imported inside the commands that need them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from migralint import __version__
from migralint.plan.command import plan

EXIT_FINDINGS = 1
EXIT_USAGE = 2


def _split_ids(values: tuple[str, ...]) -> tuple[str, ...] | None:
    """`--select a,b --select c` → ('a', 'b', 'c'); None when the option was not given."""
    ids = tuple(v.strip() for value in values for v in value.split(",") if v.strip())
    return ids or None


def _fail(message: str) -> NoReturn:
    click.echo(f"migralint: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="migralint")
def main() -> None:
    """Lint database migrations for production safety."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--dialect", help="postgres, mysql, sqlite or cockroach (default: from the layout).")
@click.option("--pg-version", help="Target PostgreSQL version, e.g. 15 or 14.2 (default 15).")
@click.option("--select", multiple=True, help="Rules or categories to run (comma-separated).")
@click.option("--ignore", multiple=True, help="Rules or categories to skip (comma-separated).")
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Configuration file (default: migralint.toml or pyproject.toml found above PATHS).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead.")
@click.option(
    "--color/--no-color", default=None, help="Color the text output (default: on a terminal)."
)
def check(
    paths: tuple[Path, ...],
    dialect: str | None,
    pg_version: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    config: Path | None,
    fmt: str,
    exit_zero: bool,
    statistics: bool,
    color: bool | None,
) -> None:
    """Lint migration files and folders (default: the current folder)."""
    from migralint.config import ConfigError, parse_dialect, parse_pg_version
    from migralint.engine import lint_paths, settings_for

    targets = list(paths) or [Path(".")]
    try:
        settings = settings_for(targets, config).merged(
            dialect=parse_dialect(dialect, "--dialect: ") if dialect else None,
            pg_version=parse_pg_version(pg_version, "--pg-version: ") if pg_version else None,
            select=_split_ids(select),
            ignore=_split_ids(ignore),
        )
        result = lint_paths(targets, settings)
    except ConfigError as error:
        _fail(str(error))
    if statistics:
        from migralint.report.text import statistics as render_statistics

        click.echo(render_statistics(result), nl=False)
    elif fmt == "json":
        from migralint.report.json import render as render_json

        click.echo(render_json(result), nl=False)
    else:
        from migralint.report import text

        use_color = sys.stdout.isatty() if color is None else color
        click.echo(text.render(result, text.ansi if use_color else text.plain), nl=False)
    for missing in result.missing:
        click.echo(f"migralint: error: {missing}: no such file or folder", err=True)
    if result.missing:
        sys.exit(EXIT_USAGE)
    if result.fails() and not exit_zero:
        sys.exit(EXIT_FINDINGS)


@main.command(name="rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Configuration file whose rule_paths add rule packs.",
)
def list_rules(fmt: str, config: Path | None) -> None:
    """List every rule: id, category, default severity and what it flags."""
    import json

    from migralint.config import ConfigError
    from migralint.engine import settings_for
    from migralint.rulepack import load_rules

    try:
        rules = load_rules(settings_for([Path(".")], config).rule_paths).rules
    except ConfigError as error:
        _fail(str(error))
    if fmt == "json":
        rows = [
            {
                "id": r.id,
                "aliases": list(r.aliases),
                "category": r.category,
                "severity": str(r.severity),
                "summary": r.summary,
                "dialects": list(r.dialects),
                "enabled_by_default": r.enabled_by_default,
            }
            for r in rules
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    width = max(len(r.id) for r in rules)
    for r in sorted(rules, key=lambda r: (r.category, r.id)):
        click.echo(f"{r.id:<{width}}  {r.category:<13} {r.severity!s:<8} {r.summary}")


@main.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Show a rule's documentation: what it flags, why, and what to write instead."""
    from migralint.config import ConfigError, suggest
    from migralint.ruledocs import render
    from migralint.rulepack import load_rules

    try:
        ruleset = load_rules()
    except ConfigError as error:
        _fail(str(error))
    spec = ruleset.get(rule_id)
    if spec is None:
        _fail(f"unknown rule {rule_id!r}{suggest(rule_id, ruleset.by_name)}")
    click.echo(render(spec), nl=False)


main.add_command(plan)  # plan.command imports only click: the planner loads lazily
