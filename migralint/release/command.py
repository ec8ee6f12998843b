"""`migralint rollback-check`: the command line of the rollback decision tree.

Only click is imported at module level, so registering the command costs `check`
nothing. Exit codes: 0 a code rollback is schema-safe, 1 it is not, 2 usage error.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

EXIT_UNSAFE = 1
EXIT_USAGE = 2
STALE_CODE = "dropped-object-used-by-previous-release"


@click.command(name="rollback-check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--since",
    metavar="TAG",
    help="The previous release (default: the newest tag matching release_tag_pattern "
    "reachable from HEAD, other than HEAD's own).",
)
@click.option("--kill-switch", is_flag=True, help="The bad change is behind a feature flag.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Configuration file (default: the one found above PATHS).",
)
def rollback_check(
    paths: tuple[Path, ...], since: str | None, kill_switch: bool, fmt: str, config: Path | None
) -> None:
    """Say whether rolling the code back to the previous release is schema-safe, and what
    to do instead when it is not (the migrations under PATHS, default: the repository)."""
    from migralint.config import ConfigError
    from migralint.engine import settings_for
    from migralint.release import changes
    from migralint.release.check import judged, repository
    from migralint.release.pack import with_release_rules
    from migralint.release.rollback import decide, render_text
    from migralint.rulepack import load_rules
    from migralint.sources.git import GitError

    try:
        repo = repository(list(paths))
        settings = settings_for(list(paths) or [repo.root], config, load_rule_paths=False)
        release = changes.release_since_tag(repo, since, settings.release_tag_pattern)
        if release is None:
            raise GitError(
                f"no tag matching {settings.release_tag_pattern!r} before HEAD: pass --since TAG"
            )
        scope = changes.scope_of(release, settings.max_file_size)
        targets = list(paths) or [Path(os.path.relpath(repo.root))]
        ruleset = with_release_rules(load_rules())
        run = judged(targets, settings, ruleset, scope, release)
        tags = repo.tags_at("HEAD", settings.release_tag_pattern)
        head = tags[0] if tags else repo.commit("HEAD")[:10]
    except (ConfigError, GitError) as error:
        click.echo(f"migralint: error: {error}", err=True)
        sys.exit(EXIT_USAGE)
    # the N-1 questions of node 3; the stale-code rule answered node 2 already
    compatibility = frozenset(
        r.id for r in ruleset.rules if r.category == "compatibility" and r.id != STALE_CODE
    )
    verdict = decide(
        release,
        run.facts,
        run.result.findings,
        compatibility_rules=compatibility,
        kill_switch=kill_switch,
        code_paths_set=bool(settings.code_paths),
        head=head,
    )
    if fmt == "json":
        click.echo(json.dumps(verdict.as_dict(), indent=2))
    else:
        click.echo(render_text(verdict), nl=False)
    if not verdict.rollback_safe:
        sys.exit(EXIT_UNSAFE)
