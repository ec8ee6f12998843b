"""The Op that stands for env.py in the revisions it runs when it sets no lock_timeout
(see ops.EnvironmentRun): env.py is where the timeout of every revision is set, so the
missing timeout is one judgement of the project, made on its last revision."""

from __future__ import annotations

from pathlib import Path

from migralint.alembic.comments import RevisionComments
from migralint.alembic.ops import EnvironmentRun, RevisionRun
from migralint.alembic.project import VersionSet
from migralint.alembic.revision import Revision
from migralint.alembic.source import PythonSource
from migralint.alembic.walker import Walker
from migralint.sql import ops


def environment_run(
    path: Path, version_set: VersionSet, dialect: str, pg_version: int
) -> EnvironmentRun | None:
    """env.py's Op for the revision at `path` (with every revision's upgrade Ops when it
    is the last in upgrade order); None without an env.py, when it sets lock_timeout, or
    when it is the project's env.py borrowed by a tree that has none (a plugin's, which
    may be run another way: the project's own set reports its env.py once)."""
    env = version_set.environment
    if env.path is None or env.borrowed or env.sets("lock_timeout"):
        return None
    loc = ops.Location(str(env.path), env.runs_at, 1, env.runs_at, 1)
    ordered = version_set.graph.ordered
    if not ordered or ordered[-1].path.resolve() != path.resolve():
        return EnvironmentRun(loc=loc)
    runs = tuple(_run(r, dialect, pg_version) for r in ordered if r.module is not None)
    return EnvironmentRun(loc=loc, revisions=runs)


def _run(revision: Revision, dialect: str, pg_version: int) -> RevisionRun:
    assert revision.module is not None
    source = PythonSource(str(revision.path), revision.text)
    comments = RevisionComments(source.comments())
    walker = Walker(source, revision.module, dialect, pg_version)
    found = tuple(e.op for e in walker.function("upgrade"))
    held = tuple((*comments.at(op.loc), *comments.whole_file) for op in found)
    return RevisionRun(path=str(revision.path), ops=found, suppressions=held)
