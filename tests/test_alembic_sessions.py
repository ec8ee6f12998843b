"""`alembic-commit-in-revision` flags a commit exactly where it really commits Alembic's
transaction halfway: checked by running each revision of fixtures/alembic/sessions on a
real PostgreSQL through Alembic and SQLAlchemy, followed by a revision that fails."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path
from typing import Any

import pytest

from migralint.alembic.sessions import own_session
from migralint.alembic.values import Scope
from migralint.config import Settings
from migralint.engine import lint_paths

pytest.importorskip("alembic", reason="alembic is not installed (extra: alembic)")
pytest.importorskip("sqlalchemy", reason="sqlalchemy is not installed (extra: alembic)")

SESSIONS = Path(__file__).resolve().parents[1] / "fixtures" / "alembic" / "sessions"
_RULE = "alembic-commit-in-revision"
_FAILING = """revision = "zz"
down_revision = "{parent}"


def upgrade() -> None:
    raise RuntimeError("a later revision fails")
"""


def _flagged() -> set[str]:
    result = lint_paths([SESSIONS], Settings())
    return {Path(f.path).stem.split("_")[0] for f in result.findings if f.rule == _RULE}


def test_only_commits_that_end_the_transaction_halfway_are_flagged() -> None:
    # b2/c3: sessions bound to op.get_bind() join its transaction; e5 commits before
    # anything else; d4 commits the connection, f6 the application's session; h8 and
    # i9 send COMMIT as SQL
    assert _flagged() == {"d4", "f6", "h8", "i9"}


def test_a_commit_sent_as_sql_is_one_finding_and_ends_the_transaction() -> None:
    """Not also a COMMIT in a wrapped file and a CONCURRENTLY inside the transaction,
    which contradict each other: the statements after it run outside Alembic's."""
    result = lint_paths([SESSIONS], Settings())
    rules = {f.rule for f in result.findings if f.path.endswith("i9_raw_commit_first.py")}
    assert _RULE in rules
    assert not rules & {"transaction-in-wrapped-file", "concurrent-index-in-transaction"}
    after = {i.transaction for i in result.contexts if i.path.endswith("i9_raw_commit_first.py")}
    assert after == {"per-run", "none"}


@pytest.mark.parametrize(
    ("revision", "commits"),
    [("b2", False), ("c3", False), ("d4", True), ("e5", True), ("h8", True)],
)
def test_what_survives_a_later_failure(
    revision: str, commits: bool, pg_server: Any, db: Any, tmp_path: Path
) -> None:
    """a1 creates the table in the upgrade's one transaction; it survives the failure of
    the revision after `revision` only if `revision` really committed that transaction."""
    from alembic import command

    config = _project(tmp_path, revision, pg_server, db)
    with pytest.raises(RuntimeError, match="a later revision fails"):
        command.upgrade(config, "head")
    survived = db.execute("SELECT to_regclass('public.notes') IS NOT NULL").fetchone()[0]
    assert survived is commits


def test_after_a_commit_sent_as_sql_psycopg_3_opens_a_new_transaction(
    pg_server: Any, db: Any, tmp_path: Path
) -> None:
    """What the finding on i9 says: its CREATE INDEX CONCURRENTLY fails."""
    from alembic import command
    from sqlalchemy.exc import InternalError

    config = _project(tmp_path, "i9", pg_server, db)
    with pytest.raises(InternalError, match="cannot run inside a transaction block"):
        command.upgrade(config, "head")


def _project(tmp_path: Path, revision: str, pg_server: Any, db: Any) -> Any:
    """A copy of the fixture project with a1, `revision` and a revision after it that
    fails, configured for the test database."""
    from alembic.config import Config

    project = tmp_path / "project"
    (project / "versions").mkdir(parents=True)
    shutil.copy(SESSIONS / "env.py", project)
    for name in ("a1_notes.py", next(p.name for p in SESSIONS.glob(f"versions/{revision}_*"))):
        shutil.copy(SESSIONS / "versions" / name, project / "versions")
    (project / "versions" / "zz_fails.py").write_text(_FAILING.format(parent=revision))
    config = Config()
    config.set_main_option("script_location", str(project))
    url = f"postgresql+psycopg://postgres@/{db.info.dbname}?host={pg_server.host}"
    config.set_main_option("sqlalchemy.url", url)
    return config


def test_a_commit_of_an_application_session_that_wrote_nothing_is_not_flagged() -> None:
    # a1 writes through op.get_bind() only: db.session's commit commits nothing; b2
    # changed rows it read with Model.query, which runs on db.session
    idle = SESSIONS.parent / "idle_session"
    result = lint_paths([idle], Settings())
    flagged = {Path(f.path).stem.split("_")[0] for f in result.findings if f.rule == _RULE}
    assert flagged == {"b2"}


def test_the_finding_says_whose_connection_the_commit_ends() -> None:
    """d4 commits the migration's connection, which ends Alembic's transaction; f6 the
    application's session, which commits only its own writes, on its own connection."""
    result = lint_paths([SESSIONS], Settings(select=(_RULE,)))
    messages = {Path(f.path).stem.split("_")[0]: f.message for f in result.findings}
    assert "ends Alembic's transaction" in messages["d4"]
    assert "cannot simply be re-run" in messages["d4"]
    assert "on its own connection" in messages["f6"]
    assert "not idempotent" in messages["f6"] and "Alembic's transaction" not in messages["f6"]


@pytest.mark.parametrize(
    ("session", "own"),
    [
        ("db.session", True),
        ("made", True),  # bound to `sessionmaker(bind=engine)()`
        ("op.get_bind()", False),
        ("connection", False),  # where it comes from is not shown: not claimed
    ],
)
def test_which_sessions_have_a_connection_of_their_own(session: str, own: bool) -> None:
    made = ast.parse("sessionmaker(bind=engine)()", mode="eval").body
    node = ast.parse(session, mode="eval").body
    assert own_session(node, Scope({"made": made})) is own
