"""Help on an Alembic revision says how to do it in Alembic."""

from __future__ import annotations

import shutil
from pathlib import Path

from migralint.config import Settings
from migralint.engine import lint_paths

SHOP = Path(__file__).resolve().parents[1] / "fixtures" / "alembic" / "shop"


def test_what_cannot_run_in_a_transaction_goes_into_an_autocommit_block() -> None:
    result = lint_paths([SHOP], Settings(select=("require-concurrent-index-creation",)))
    [finding] = [f for f in result.findings if f.path.endswith("b2_every_op.py")]
    assert "with op.get_context().autocommit_block():" in finding.help
    assert "no BEGIN" not in finding.help


LOCKS = Path(__file__).resolve().parents[1] / "fixtures" / "alembic" / "locks_then_not_null"
PER_REVISION_ENV = """from alembic import context

context.configure(connection=None, transaction_per_migration=True)
with context.begin_transaction():
    context.run_migrations()
"""


def _not_null_message(project: Path) -> str:
    [finding] = [f for f in lint_paths([project]).findings if f.rule == "setting-not-null"]
    return finding.message


def test_under_the_default_env_only_an_autocommit_block_ends_the_lock_sooner_said_once() -> None:
    message = _not_null_message(LOCKS)  # no env.py: one transaction for the whole upgrade
    assert message.count("holds ACCESS EXCLUSIVE") == 2
    assert message.count("Alembic runs the whole upgrade in one transaction") == 1
    assert message.endswith(
        "so only a `with op.get_context().autocommit_block():` block around what follows the "
        "statement that takes the ACCESS EXCLUSIVE lock, or transaction_per_migration=True in "
        "env.py with what follows it in a revision of its own, commits sooner"
    )


def test_with_a_transaction_per_revision_a_revision_of_its_own_ends_the_lock(
    tmp_path: Path,
) -> None:
    shutil.copytree(LOCKS / "versions", tmp_path / "versions")
    (tmp_path / "env.py").write_text(PER_REVISION_ENV)
    message = _not_null_message(tmp_path)
    assert message.endswith(
        "Alembic commits when the revision ends, so move what follows the statement that "
        "takes the ACCESS EXCLUSIVE lock into a revision of its own"
    )
    assert "transaction_per_migration" not in message


def test_a_default_only_sqlalchemy_applies_is_said_to_be_no_database_default() -> None:
    project = Path(__file__).resolve().parents[1] / "fixtures" / "alembic" / "client_default"
    found = {f.rule: f for f in lint_paths([project]).findings}
    required = found["adding-required-field"]  # backup (default=False) and rank (default=None)
    assert (required.line, required.message.endswith("also line 16: rank")) == (12, True)
    assert required.help.startswith(
        "`default=` on member.backup is applied by SQLAlchemy on INSERT and is not in the "
        "database: `server_default=…` gives the column a DEFAULT. Give it a constant DEFAULT"
    )
    made_required = found["new-column-made-required"]
    assert made_required.line == 15
    assert made_required.help.startswith("`default=` on member.role is applied by SQLAlchemy")
