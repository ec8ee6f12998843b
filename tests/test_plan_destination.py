"""Without --out and --format, plans go beside the existing migrations, in their layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from migralint.cli import main

RENAME = ["plan", "rename-column", "--table", "users", "--column", "name", "--to", "full_name"]
USERS = "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n"


def plan_in(folder: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> tuple[int, str]:
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, [*RENAME, *extra])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        (["1_users.up.sql", "1_users.down.sql"], "2_rename_users_name_to_full_name_expand.up.sql"),
        (["V1__users.sql", "V2__more.sql"], "V3__rename_users_name_to_full_name_expand.sql"),
        (
            ["V1_26__users.sql", "V1_27__more.sql"],
            "V1_28__rename_users_name_to_full_name_expand.sql",
        ),
        (["0007_users.sql"], "0008_rename_users_name_to_full_name_expand.sql"),
    ],
)
def test_the_plan_lands_beside_the_migrations_in_their_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: list[str], expected: str
) -> None:
    migrations = tmp_path / "db" / "migrations"
    migrations.mkdir(parents=True)
    for name in existing:
        (migrations / name).write_text(USERS if "down" not in name else "DROP TABLE users;\n")
    code, output = plan_in(tmp_path, monkeypatch)
    assert code == 0, output
    assert (migrations / expected).exists(), sorted(p.name for p in migrations.iterdir())
    assert "--type" not in output  # the type came from the migrations found


def test_several_migration_sets_need_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for folder in ("api/migrations", "worker/migrations"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "1_users.up.sql").write_text(USERS)
    code, output = plan_in(tmp_path, monkeypatch, "--type", "text")
    assert code == 2
    assert "several migration sets" in output and "pass --out" in output
    assert "api/migrations" in output and "worker/migrations" in output


def test_a_layout_without_writer_needs_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migration = tmp_path / "prisma" / "migrations" / "20240101000000_init"
    migration.mkdir(parents=True)
    (migration / "migration.sql").write_text(USERS)
    code, output = plan_in(tmp_path, monkeypatch)
    assert code == 2
    assert "prisma migrations" in output and "pass --format" in output


def test_no_migrations_writes_plain_sql_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = plan_in(tmp_path, monkeypatch, "--type", "text")
    assert code == 0, output
    assert (tmp_path / "0001_rename_users_name_to_full_name_expand.sql").exists()
