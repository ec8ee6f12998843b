"""How each migration runs, as migralint reads or assumes it, and `check --show-context`.

`file_context` makes a migration's run context (`FileInfo`) from its layout, its
section, the folder beside it and the configuration; the front end completes it from
the text (phase, schema-dump header). `show_context` prints, per set (folder): the
tool, its files' dialect, how they run (transaction or not, and what says so),
its fresh installs, its up/down counts (files, not the parts an Alembic revision's
`autocommit_block` splits it into), its deployment mode, and the files its tool's
manifest does not list (never run, so not linted). A value no file or setting states is
marked "assumed", with the setting that states it.
"""

from __future__ import annotations

import fnmatch
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from migralint.config import EVERY_FILE, Settings
from migralint.context import FileInfo
from migralint.sources.deploy_phase import deploy_phase
from migralint.sources.layout import MigrationFile, Section
from migralint.sources.pairs import down_facts

_MODES = {
    "per-file": "one transaction per file",
    "per-run": "one transaction for all the files a run applies",
    "implicit": "one multi-statement query (an implicit transaction; one statement runs bare)",
    "none": "no transaction",
}
_SET_TRANSACTION = (
    'set [tool.migralint.transaction] "<glob>" = "per-file" | "implicit" | "none", '
    "or assume_in_transaction = true"
)
_SET_DEPLOYMENT = 'set deployment = "offline" in [tool.migralint], or pass --deployment offline'
_MAX_NAMES = 4


def file_context(
    file: MigrationFile, dialect: str, settings: Settings, section: Section | None = None
) -> FileInfo:
    """How the tool runs the file (or one `section` of it), from the layout overridden
    by the configuration."""
    path = str(file.path)
    transaction, transaction_reason = file.transaction, file.transaction_reason
    if section is not None:
        transaction, transaction_reason = section.transaction, section.transaction_reason
    if configured := matching(settings.transaction, path):
        pattern, transaction = configured
        transaction_reason = f"config: transaction {pattern!r}"
    deployment, deployment_reason = "online", ""
    if configured := matching(settings.deployment, path):
        pattern, deployment = configured
        deployment_reason = (
            f"configured (deployment = {deployment!r} or --deployment)"
            if pattern == EVERY_FILE
            else f"config: deployment {pattern!r}"
        )
    direction = section.direction if section else file.direction
    has_down, downs_written = down_facts(file.path, file.tool, direction)
    phase, phase_reason = deploy_phase(file.path, file.set_root)
    return FileInfo(
        path=path,
        tool=file.tool,
        direction=direction,
        dialect=dialect,
        transaction=transaction,
        fresh_install=file.fresh_install,
        deployment=deployment,
        set_root=str(file.set_root),
        transaction_reason=transaction_reason,
        fresh_reason=file.fresh_reason,
        deployment_reason=deployment_reason,
        has_down=has_down,
        downs_written=downs_written,
        phase=phase,
        phase_reason=phase_reason,
    )


def path_matches(path: str, pattern: str) -> bool:
    """Does a configuration glob match the path (anywhere below a folder, too)?"""
    return fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, f"*/{pattern}")


def matching(table: Mapping[str, str], path: str) -> tuple[str, str] | None:
    """The first (glob, value) of `table` whose glob matches the path."""
    return next((item for item in table.items() if path_matches(path, item[0])), None)


def show_context(
    contexts: Iterable[FileInfo], settings: Settings, not_run: Iterable[MigrationFile] = ()
) -> str:
    """The run context of every migration set, one block per set; `not_run`: the files
    their tool's manifest does not list."""
    by_set: dict[str, list[FileInfo]] = defaultdict(list)
    for info in contexts:
        by_set[info.set_root].append(info)
    skipped: dict[str, list[MigrationFile]] = defaultdict(list)
    for file in not_run:
        skipped[str(file.set_root)].append(file)
    roots = sorted(set(by_set) | set(skipped))
    blocks = [_block(root, by_set[root], skipped[root], settings) for root in roots]
    return "".join(blocks) or "no migrations found\n"


def _block(
    root: str, infos: Sequence[FileInfo], skipped: Sequence[MigrationFile], settings: Settings
) -> str:
    tools = ", ".join(sorted({i.tool for i in infos} | {f.tool for f in skipped}))
    directions = Counter(d for d, _ in {(i.direction, i.path) for i in infos})  # files
    counts = ", ".join(f"{n} {d}" for d, n in sorted(directions.items(), key=_up_first))
    lines = [f"{root}  ({tools}: {counts or 'no migration'})", *_not_run(skipped, root)]
    if not infos:
        return "\n".join(lines) + "\n\n"
    lines += _grouped("dialect", infos, root, lambda i: i.dialect)
    graphs = [i for i in infos if i.graph]
    lines += _grouped("graph", graphs, root, lambda i: i.graph) if graphs else []
    lines += _grouped("transaction", infos, root, lambda i: _transaction(i, settings))
    fresh = [i for i in infos if i.fresh_install]
    if fresh:
        lines += _grouped("fresh install", fresh, root, _fresh, list_first=True)
    else:
        lines.append(_row("fresh install", "none"))
    lines += _grouped("deployment", infos, root, _deployment)
    phased = [i for i in infos if i.phase]
    if phased:
        lines += _grouped("phase", phased, root, _phase, list_first=True)
    if directions["down"]:
        how = (
            "judged like up files"
            if settings.lint_downs == "all"
            else "judged for rollback only: data loss, irreversibility, failures, re-runs"
        )
        other = "all" if settings.lint_downs == "rollback" else "rollback"
        setting = f'lint_downs = "{settings.lint_downs}"; "{other}" to change'
        lines.append(_row("down files", f"{how} ({setting})"))
    return "\n".join(lines) + "\n\n"


def _not_run(skipped: Sequence[MigrationFile], root: str) -> list[str]:
    """One row per reason a manifest gives for files it does not run."""
    by_reason: dict[str, list[str]] = defaultdict(list)
    for file in skipped:
        by_reason[file.not_run].append(_relative(str(file.path), root))
    rows = []
    for n, (reason, names) in enumerate(sorted(by_reason.items())):
        files = f"{len(names)} file{'s' if len(names) > 1 else ''}"
        rows.append(_row("" if n else "not run", f"{files} {reason}: skipped [{_names(names)}]"))
    return rows


def _transaction(info: FileInfo, settings: Settings) -> str:
    if info.transaction is not None:
        return f"{_MODES[info.transaction]}: {info.transaction_reason}"
    if settings.assume_in_transaction:
        return f"{_MODES['per-file']}: config: assume_in_transaction = true"
    why = info.transaction_reason or "the layout does not say"
    return f"{_MODES['none']} (assumed: {why}; {_SET_TRANSACTION})"


def _fresh(info: FileInfo) -> str:
    return f"yes: {info.fresh_reason}"


def _phase(info: FileInfo) -> str:
    return f"{info.phase}: {info.phase_reason}"


def _deployment(info: FileInfo) -> str:
    if info.deployment_reason:
        return f"{info.deployment}: {info.deployment_reason}"
    return f"{info.deployment} (assumed; {_SET_DEPLOYMENT})"


def _grouped(
    label: str,
    infos: Sequence[FileInfo],
    root: str,
    describe: Callable[[FileInfo], str],
    list_first: bool = False,
) -> list[str]:
    """The most common description first (for the files not listed after it, unless
    `list_first`), then the others with the files they cover."""
    groups: dict[str, list[str]] = defaultdict(list)
    for info in infos:
        groups[describe(info)].append(_relative(info.path, root))
    ordered = sorted(groups.items(), key=lambda item: -len(item[1]))
    rows = []
    for n, (text, files) in enumerate(ordered):
        scope = f" [{_names(files)}]" if n or list_first else ""
        rows.append(_row("" if n else label, text + scope))
    return rows


def _row(label: str, text: str) -> str:
    return f"  {label:<14}{text}"


def _names(files: Sequence[str]) -> str:
    unique = list(dict.fromkeys(files))
    shown = ", ".join(unique[:_MAX_NAMES])
    rest = len(unique) - _MAX_NAMES
    return f"{shown} and {rest} more" if rest > 0 else shown


def _relative(path: str, root: str) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return path


def _up_first(item: tuple[str, int]) -> int:
    return ("up", "down", "repeatable", "verify").index(item[0])
