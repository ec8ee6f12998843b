"""Command line: parse arguments, call the Python API, pick a formatter.

Exit codes: 0 no findings at or above error severity, 1 such findings, 2 usage or
configuration error. Heavy modules are imported inside the commands that need them.
Messages of our own (errors, notices) go to stderr with file names made printable.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from migralint import __version__
from migralint.plan.command import plan
from migralint.release.command import rollback_check
from migralint.report import FORMATS

if TYPE_CHECKING:
    from migralint.config import Settings
    from migralint.progress import Progress
    from migralint.result import LintResult
    from migralint.rule import RuleSpec
    from migralint.rulepack import RuleSet

EXIT_FINDINGS = 1
EXIT_USAGE = 2


def _split_ids(values: tuple[str, ...]) -> tuple[str, ...] | None:
    """`--select a,b --select c` → ('a', 'b', 'c'); None when the option was not given."""
    ids = tuple(v.strip() for value in values for v in value.split(",") if v.strip())
    return ids or None


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def shown(text: str) -> str:
    """`text` safe on any terminal, log and encoding: control characters, and the bytes
    of a file name that are not UTF-8 (kept by surrogateescape), become escapes."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(m: re.Match[str]) -> str:
    code = ord(m[0])
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _fail(message: str) -> NoReturn:
    click.echo(f"migralint: error: {shown(message)}", err=True)
    sys.exit(EXIT_USAGE)


def _notice(message: str | None) -> None:
    if message:
        click.echo(f"migralint: notice: {shown(message)}", err=True)


def _load_rule_paths_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--load-rule-paths",
        is_flag=True,
        default=None,
        help="Import the rule packs the configuration's rule_paths name (code from the "
        "linted tree; also MIGRALINT_LOAD_RULE_PATHS=1).",
    )(command)


class _GivenPath(click.Path):
    """A path argument taken as given, not stat'ed: discovery looks at each one, and
    click's `Path` stats every one first (thousands for a long list of files)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        return Path(value)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="migralint")
def main() -> None:
    """Lint database migrations for production safety."""


@main.command()
@click.argument("paths", nargs=-1, type=_GivenPath())
@click.option("--dialect", help="postgres, mysql, sqlite or cockroach (default: from the layout).")
@click.option("--pg-version", help="Target PostgreSQL version, e.g. 15 or 14.2 (default 15).")
@click.option(
    "--select", multiple=True, help="Rules or categories to run, replacing the configuration's."
)
@click.option(
    "--ignore", multiple=True, help="Rules or categories to skip, replacing the configuration's."
)
@click.option(
    "--extend-select", multiple=True, help="Rules or categories to run besides those selected."
)
@click.option(
    "--extend-ignore", multiple=True, help="Rules or categories to skip besides those ignored."
)
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Configuration file (default: migralint.toml or pyproject.toml found above PATHS, "
    "up to the repository root).",
)
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="text")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead.")
@click.option(
    "--color/--no-color",
    default=None,
    help="Color the text output (default: on a terminal, unless NO_COLOR is set).",
)
@click.option("--max-file-size", help="Largest file linted, e.g. 4MB (default 4MB).")
@click.option("--time-budget", help="Seconds a file may take (default 10).")
@click.option(
    "--deployment",
    type=click.Choice(["online", "offline"]),
    help="offline: the application is stopped while migrations run, so lock and N-1 "
    "rules do not apply (default: the configuration's, else online).",
)
@click.option(
    "--show-context",
    is_flag=True,
    help="Print how each migration set runs (tool, transaction, fresh installs, up/down, "
    "deployment) and which of it is assumed.",
)
@click.option(
    "--since",
    metavar="REF",
    help="Report only the migrations changed since REF's merge-base with HEAD (committed "
    "or not; the others are replayed for context), and judge the release since REF.",
)
@click.option(
    "--staged", is_flag=True, help="Report only the staged migrations, read from the index."
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Lint everything again, without reading or writing the cache (default: "
    "MIGRALINT_CACHE_DIR, else the user's cache folder).",
)
@click.option(
    "--alembic-render",
    is_flag=True,
    help="Lint the SQL Alembic's offline mode writes for each revision. This EXECUTES the "
    "revision files' code (imports them and runs upgrade() and downgrade()); env.py is "
    "not run. Default: revisions are read statically, never run.",
)
@_load_rule_paths_option
def check(
    paths: tuple[Path, ...],
    dialect: str | None,
    pg_version: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    extend_ignore: tuple[str, ...],
    config: Path | None,
    fmt: str,
    exit_zero: bool,
    statistics: bool,
    color: bool | None,
    max_file_size: str | None,
    time_budget: str | None,
    deployment: str | None,
    show_context: bool,
    since: str | None,
    staged: bool,
    no_cache: bool,
    alembic_render: bool,
    load_rule_paths: bool | None,
) -> None:
    """Lint migration files and folders (default: the current folder; with --since or
    --staged, the repository)."""
    from migralint import config as cfg
    from migralint.config import settings_for
    from migralint.terminal import interactive

    if since is not None and staged:
        _fail("--since and --staged cannot be combined")
    in_git = since is not None or staged
    targets = list(paths) or [Path(".")]
    watched = interactive(fmt, sys.stdout, sys.stderr)
    started = time.monotonic()
    try:
        settings = settings_for(targets, config, load_rule_paths=load_rule_paths).merged(
            dialect=cfg.parse_dialect(dialect, "--dialect: ") if dialect else None,
            pg_version=cfg.parse_pg_version(pg_version, "--pg-version: ") if pg_version else None,
            max_file_size=(
                cfg.parse_size(max_file_size, "--max-file-size: ") if max_file_size else None
            ),
            time_budget=cfg.parse_seconds(time_budget, "--time-budget: ") if time_budget else None,
            deployment=cfg.parse_deployment(deployment, "--deployment: ") if deployment else None,
            alembic_render=alembic_render or None,
        )
        _notice(cfg.rule_paths_notice(settings))
        rule_options = (select, ignore, extend_select, extend_ignore)
        if in_git:
            from migralint.release.check import lint_changed
            from migralint.release.pack import with_release_rules
            from migralint.rulepack import load_rules

            ruleset = with_release_rules(load_rules(settings.rule_paths))
            settings = _choose_rules(settings, ruleset, *rule_options)
            # no progress bar: a count of the whole tree would be wrong for a git run
            run = lint_changed(list(paths), settings, ruleset, since=since, staged=staged)
            for notice in run.notices:
                _notice(notice)
            result, rules = run.result, ruleset.rules
        else:
            settings, result, rules = _lint(targets, settings, rule_options, no_cache, watched)
    except (cfg.ConfigError, _git_error()) as error:  # evaluated only when one is raised
        _fail(str(error))
    for notice in _never_run(targets, result):
        _notice(notice)
    if show_context:
        from migralint.run_context import show_context as render_context

        # beside a machine-readable report, on stderr, so the report stays parseable
        click.echo(
            render_context(result.contexts, settings, result.not_run),
            nl=False,
            err=fmt != "text" and not statistics,
        )
    _report(result, fmt, statistics, color, rules, summary=not watched)
    if watched:
        _closing_summary(result, time.monotonic() - started, color)
    # nothing changed since REF is a green run, not an empty folder
    sys.exit(_exit_code([] if in_git else targets, result, exit_zero))


def _never_run(targets: Sequence[Path], result: LintResult) -> list[str]:
    """A notice for each file given by its own path that its tool's manifest never runs
    (not linted, and no finding says so)."""
    if not result.not_run:  # the usual case: no given path need be resolved
        return []
    given = {path.resolve() for path in targets if path.is_file()}
    return [
        f"{file.path}: not linted: its tool never runs it ({file.not_run})"
        for file in result.not_run
        if file.path.resolve() in given
    ]


def _git_error() -> type[Exception]:
    """GitError, from a module a run outside git need not import."""
    from migralint.sources.git import GitError

    return GitError


def _lint(
    targets: list[Path],
    settings: Settings,
    rule_options: tuple[tuple[str, ...], ...],
    no_cache: bool,
    watched: bool,
) -> tuple[Settings, LintResult, Sequence[RuleSpec]]:
    """The run over `targets`: the last identical run's answer when nothing it looked
    at changed (see migralint/rerun.py: no rule is loaded), else linted and kept."""
    from migralint.cache import Cache, cache_dir
    from migralint.rerun import Rerun
    from migralint.rulepack import PackRules

    cache = Cache(None if no_cache else cache_dir())
    again = None
    if cache.enabled and not settings.alembic_render:  # a render imports from anywhere
        again = Rerun(cache, targets, settings, map(repr, rule_options))
        answer = again.lookup()
        if answer is not None:
            return answer[0], answer[1], PackRules(answer[0].rule_paths)
    from migralint.engine import lint_paths
    from migralint.rulepack import load_rules

    ruleset = load_rules(settings.rule_paths)
    settings = _choose_rules(settings, ruleset, *rule_options)
    with _progress(watched) as progress:
        on_file = progress.update if progress is not None else None
        result = lint_paths(targets, settings, ruleset, cache=cache, on_file=on_file)
    if again is not None:
        again.store(settings, result)
    return settings, result, ruleset.rules


def _choose_rules(
    settings: Settings,
    ruleset: RuleSet,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    extend_ignore: tuple[str, ...],
) -> Settings:
    """The settings with the command line's rule options over the file's, every id
    checked (exit 2 naming the option and the closest id) before the extend options are
    folded into select and ignore."""
    chosen = settings.with_rule_options(
        _split_ids(select),
        _split_ids(ignore),
        _split_ids(extend_select) or (),
        _split_ids(extend_ignore) or (),
    )
    ruleset.selected(chosen)  # raises ConfigError for an unknown id
    return chosen.folded(r.id for r in ruleset.rules if r.enabled_by_default)


def _progress(watched: bool) -> AbstractContextManager[Progress | None]:
    """A progress bar on stderr when a person watches a run (drawn for many files only)."""
    if not watched:
        return nullcontext()
    from migralint.progress import Progress

    return Progress(sys.stderr)


def _report(
    result: LintResult,
    fmt: str,
    statistics: bool,
    color: bool | None,
    rules: Sequence[RuleSpec],
    summary: bool,
) -> None:
    """The report on stdout, in the format asked for."""
    from migralint.report import ReportOptions
    from migralint.terminal import wants_color

    if statistics:
        from migralint.report.text import statistics as render_statistics

        click.echo(render_statistics(result, with_summary=summary), nl=False)
        return
    use_color = wants_color(color, sys.stdout)
    options = ReportOptions(color=use_color, rules=rules, summary=summary)
    click.echo(FORMATS[fmt](result, options), nl=False, color=use_color)


def _closing_summary(result: LintResult, seconds: float, color: bool | None) -> None:
    """Files, findings by severity and time, on the terminal's stderr."""
    from migralint.report.text import ansi, plain, summary
    from migralint.terminal import wants_color

    style = ansi if wants_color(color, sys.stderr) else plain
    click.echo(summary(result, style, seconds), err=True, color=style is ansi)


def _exit_code(targets: list[Path], result: LintResult, exit_zero: bool) -> int:
    """2 when a given path could not be used or held no migration, else 1 for findings
    at error severity (unless --exit-zero), else 0; says on stderr what was wrong."""
    from migralint.empty_folders import empty_folders, what_is_read

    unusable = [(path, "no such file or folder") for path in result.missing]
    unusable += result.unusable
    named = {path for path, _ in unusable}
    unusable += [
        (str(folder), f"no migration files found under it; {what_is_read()}")
        for folder in empty_folders(targets, result)
        if str(folder) not in named
    ]
    for path, reason in unusable:
        click.echo(f"migralint: error: {shown(path)}: {reason}", err=True)
    if unusable:
        return EXIT_USAGE
    return EXIT_FINDINGS if result.fails() and not exit_zero else 0


@main.command(name="rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Configuration file whose rule_paths add rule packs.",
)
@_load_rule_paths_option
def list_rules(fmt: str, config: Path | None, load_rule_paths: bool | None) -> None:
    """List every rule: id, category, default severity and what it flags."""
    import json

    from migralint.config import ConfigError, rule_paths_notice, settings_for
    from migralint.release.pack import with_release_rules
    from migralint.rulepack import load_rules

    try:
        settings = settings_for([Path(".")], config, load_rule_paths=load_rule_paths)
        _notice(rule_paths_notice(settings))
        rules = with_release_rules(load_rules(settings.rule_paths)).rules
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
    from migralint.release.pack import with_release_rules
    from migralint.ruledocs import render
    from migralint.rulepack import load_rules

    try:
        ruleset = with_release_rules(load_rules())
    except ConfigError as error:
        _fail(str(error))
    spec = ruleset.get(rule_id)
    if spec is None:
        _fail(f"unknown rule {rule_id!r}{suggest(rule_id, ruleset.by_name)}")
    click.echo(render(spec), nl=False)


main.add_command(plan)  # plan.command imports only click: the planner loads lazily
main.add_command(rollback_check)  # likewise: git and the release checks load when it runs
