"""`migralint plan --from FILE` replaces a migration's risky statements by their plans."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from migralint.cli import main

SEED = "CREATE TABLE users (id bigint PRIMARY KEY, full_name text NOT NULL, email text);\n"


def texts(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.iterdir())}


def test_a_one_line_rename_becomes_the_same_three_phases(tmp_path: Path) -> None:
    db = tmp_path / "db"
    db.mkdir()
    (db / "1_users.up.sql").write_text(SEED)
    (db / "2_rename.up.sql").write_text("ALTER TABLE users RENAME COLUMN full_name TO name;\n")
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "plan",
            "--from",
            str(db / "2_rename.up.sql"),
            "--format",
            "golang-migrate",
            "--out",
            str(tmp_path / "from"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "line 1: Renaming users.full_name to name in three migrations" in result.output
    assert (db / "2_rename.up.sql").read_text().startswith("ALTER TABLE users RENAME")  # untouched

    (tmp_path / "direct").mkdir()
    direct = runner.invoke(
        main,
        [
            "plan",
            "rename-column",
            "--table",
            "users",
            "--column",
            "full_name",
            "--to",
            "name",
            "--type",
            "text",
            "--format",
            "golang-migrate",
            "--out",
            str(tmp_path / "direct"),
        ],
    )
    assert direct.exit_code == 0, direct.output
    assert texts(tmp_path / "from") == texts(tmp_path / "direct")


def test_safe_statements_are_kept_first_and_in_order(tmp_path: Path) -> None:
    (tmp_path / "1_users.up.sql").write_text(SEED)
    source = tmp_path / "2_mixed.up.sql"
    source.write_text(
        "ALTER TABLE users ADD COLUMN IF NOT EXISTS age int;\n"
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n"
        "CREATE TABLE IF NOT EXISTS tags (id bigint PRIMARY KEY);\n"
    )
    result = CliRunner().invoke(main, ["plan", "--from", str(source), "--format", "golang-migrate"])
    assert result.exit_code == 0, result.output
    kept = (tmp_path / "3_mixed_kept.up.sql").read_text()
    assert kept.index("ADD COLUMN IF NOT EXISTS age") < kept.index(
        "CREATE TABLE IF NOT EXISTS tags"
    )
    assert "SET NOT NULL" not in kept
    assert (tmp_path / "4_set_users_email_not_null_check.up.sql").exists()
    assert (
        (tmp_path / "6_set_users_email_not_null.up.sql")
        .read_text()
        .startswith("-- migralint: phase=contract")
    )


def test_nothing_to_plan_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "1_safe.up.sql"
    source.write_text("ALTER TABLE users ADD COLUMN IF NOT EXISTS age int;\n")
    result = CliRunner().invoke(main, ["plan", "--from", str(source)])
    assert result.exit_code == 0
    assert "nothing written" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["1_safe.up.sql"]
