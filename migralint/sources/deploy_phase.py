"""The phase a migration's name declares: run before the deploy (expand) or after it
(contract).

Several conventions split a release's migrations by when they run against the
rollout: GitLab's `db/post_migrate/` runs once every server runs the new release;
procrastinate pairs `<version>_01_pre_<name>.sql` (before the deploy) with
`<version>_50_post_<name>.sql` (after it); folders or files named `post_deploy`,
`post-deploy`, `postdeploy` (and `pre_deploy`…); Alembic projects that keep expand
and contract branches (OpenStack's `versions/<release>/expand/`, `…/contract/`) name
the phase itself. A post-deploy migration is the contract phase (no running code uses
what it removes), a pre-deploy one the expand phase. Only whole phase words of a
folder or file name count, anchored as each convention writes them, so a table named
in a file name (`add_post_title`) does not.
"""

from __future__ import annotations

import re
from pathlib import Path

_PHASES = {"pre": "expand", "post": "contract"}
_PHASE_FOLDERS = frozenset({"expand", "contract"})  # a folder named after the phase
# a folder's whole name: GitLab's post_migrate, or a deploy phase word
_FOLDER = re.compile(
    r"(?P<when>pre|post)[-_]?(?:deploy(?:ment)?s?|migrat(?:e|es|ions?))", re.IGNORECASE
)
# in a file name: a deploy phase word between separators, or procrastinate's
# `<version>_<order>_pre_` / `_post_` right after the version
_FILE = re.compile(
    r"(?:^|[-_.])(?P<when>pre|post)[-_]?deploy(?:ment)?(?=[-_.]|$)"
    r"|^\d+(?:\.\d+)*_\d+_(?P<after_version>pre|post)_",
    re.IGNORECASE,
)


def deploy_phase(path: Path, set_root: Path) -> tuple[str | None, str]:
    """The phase (expand | contract) the file's name or a folder from its set's root
    down declares, and what says so; (None, "") when none does."""
    m = _FILE.search(path.name)
    if m:
        word = m[0].strip("-_.") if m["when"] else f"_{m['after_version']}_"
        when = (m["when"] or m["after_version"]).lower()
        return _PHASES[when], f"`{word}` in its name: it runs {when}-deploy"
    try:  # the folders between the set's root and the file, the nearest first
        below = path.parent.relative_to(set_root).parts
    except ValueError:
        below = ()
    for name in (set_root.name, *reversed(below)):
        if m := _FOLDER.fullmatch(name):
            when = m["when"].lower()
            return _PHASES[when], f"its folder {name}/: it runs {when}-deploy"
        if name.lower() in _PHASE_FOLDERS:
            return name.lower(), f"its folder {name}/ names the phase"
    return None, ""
