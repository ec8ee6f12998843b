"""Tests for migralint.sources: recognising migration layouts and ordering their files."""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path

import pytest

from migralint.sources.discover import Discovery, discover
from migralint.sources.layout import MigrationFile, looks_like_schema_dump

LAYOUTS = Path(__file__).resolve().parents[1] / "fixtures" / "layouts"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _names(found: Discovery | list[MigrationFile], root: Path) -> list[str]:
    files = found.files if isinstance(found, Discovery) else found
    return [f.path.relative_to(root).as_posix() for f in files]


def _by_name(found: Discovery) -> dict[str, MigrationFile]:
    return {f.path.name: f for f in found.files}


def test_flyway_orders_versions_numerically_then_repeatables_and_callbacks() -> None:
    root = LAYOUTS / "flyway" / "postgresql"
    found = discover([root])
    assert _names(found, root) == [
        "V1_1__create_users.sql",
        "V1_9__add_email.sql",
        "B1_10__snapshot.sql",
        "V1_10__index_email.sql",
        "U1_10__drop_email_index.sql",
        "R__users_view.sql",
        "afterMigrate__grants.sql",
    ]
    files = _by_name(found)
    assert {f.tool for f in found.files} == {"flyway"}
    assert {f.set_root for f in found.files} == {root}
    assert {f.transaction for f in found.files} == {"per-file"}
    assert {f.dialect for f in found.files} == {"postgres"}
    assert files["V1_10__index_email.sql"].version == "1.10"
    assert files["U1_10__drop_email_index.sql"].direction == "down"
    assert files["R__users_view.sql"].direction == "repeatable"
    assert files["R__users_view.sql"].version == ""
    assert files["afterMigrate__grants.sql"].direction == "repeatable"
    assert [f.path.name for f in found.files if f.fresh_install] == ["B1_10__snapshot.sql"]


def test_flyway_dotted_versions_compare_part_by_part() -> None:
    root = LAYOUTS / "flyway-dotted" / "postgres"
    found = discover([root])
    assert _names(found, root) == [
        "V7.0_2018.11.03__entities.sql",
        "V7.0_2019.05.02__workflow.sql",
        "V7.0_2019_06_14__process.sql",
        "V10.0_2020.01.01__later.sql",
        "update-sequences.sql",  # not a Flyway name: plain, after the versioned files
    ]
    files = _by_name(found)
    assert files["V7.0_2019_06_14__process.sql"].version == "7.0.2019.06.14"
    assert files["update-sequences.sql"].tool == "plain"
    assert files["update-sequences.sql"].transaction is None


def test_flyway_release_folders_form_one_set() -> None:
    root = LAYOUTS / "flyway-releases" / "migration"
    found = discover([root])
    assert {f.set_root for f in found.files} == {root}
    assert _names(found, root) == [
        "2.31/V2_31_1__release_31.sql",
        "2.31/V2_31_10__release_31_fix.sql",
        "2.32/V2_32_1__release_32.sql",
    ]


def test_dialect_name_beats_folder_beats_lock_file() -> None:
    flyway = _by_name(discover([LAYOUTS / "flyway" / "h2"]))
    assert flyway["V1_1__init___POSTGRESQL.sql"].dialect == "postgres"
    assert flyway["V1_2__more__MYSQL.sql"].dialect == "mysql"
    assert flyway["V1_3__plain.sql"].dialect == "h2"
    plain = _by_name(discover([LAYOUTS / "plain" / "sqlite3"]))
    assert plain["001_init.sql"].dialect == "sqlite"
    assert plain["002_more.postgres.sql"].dialect == "postgres"
    assert {f.dialect for f in discover([LAYOUTS / "prisma"]).files} == {"mysql"}
    assert {f.dialect for f in discover([LAYOUTS / "diesel"]).files} == {None}


def test_golang_migrate_orders_by_numeric_version_up_before_down() -> None:
    root = LAYOUTS / "golang-migrate" / "migrations"
    found = discover([root])
    assert _names(found, root) == [
        "1_create_users.up.sql",
        "1_create_users.down.sql",
        "2_add_name.up.sql",
        "10_add_email.up.sql",
        "10_add_email.down.sql",
    ]
    assert {f.tool for f in found.files} == {"golang-migrate"}
    assert {f.transaction for f in found.files} == {"implicit"}
    assert [f.direction for f in found.files] == ["up", "down", "up", "up", "down"]
    assert [f.version for f in found.files] == ["1", "1", "2", "10", "10"]


def test_popx_infixes_give_dialect_and_autocommit() -> None:
    root = LAYOUTS / "popx" / "sql"
    found = discover([root])
    assert _names(found, root) == [
        "20200101000000000000_identities.postgres.up.sql",
        "20200101000000000000_identities.sqlite3.up.sql",
        "20200101000000000000_identities.up.sql",  # all engines: after the specific ones
        "20200101000000000000_identities.down.sql",
        "20200101000000000001_identities_index.autocommit.up.sql",
    ]
    assert {f.tool for f in found.files} == {"popx"}
    assert [f.dialect for f in found.files] == ["postgres", "sqlite", None, None, None]
    assert [f.transaction for f in found.files] == ["per-file"] * 4 + ["none"]
    legacy = discover([LAYOUTS / "popx" / "legacy"])  # 14-digit versions, but infixes
    assert {(f.tool, f.transaction) for f in legacy.files} == {("popx", "per-file")}
    assert [f.dialect for f in legacy.files] == ["cockroach", "mysql"]


def test_dbmate_is_recognised_by_its_marker() -> None:
    found = discover([LAYOUTS / "dbmate"])
    assert [(f.tool, f.transaction, f.version) for f in found.files] == [
        ("dbmate", "per-file", "20230101000000"),
        ("dbmate", "none", "20230102000000"),  # -- migrate:up transaction:false
    ]


def test_prisma_sets_root_at_migrations_and_orders_by_folder() -> None:
    root = LAYOUTS / "prisma" / "prisma" / "migrations"
    found = discover([LAYOUTS / "prisma"])
    assert _names(found, root) == [
        "20230101000000_init/migration.sql",
        "20230102000000_add_posts/migration.sql",
    ]
    assert {(f.tool, f.set_root, f.transaction) for f in found.files} == {
        ("prisma", root, "implicit")
    }
    assert [f.version for f in found.files] == ["20230101000000", "20230102000000"]


def test_diesel_orders_by_folder_with_up_and_down() -> None:
    root = LAYOUTS / "diesel" / "migrations"
    found = discover([root])
    assert _names(found, root) == [
        "2020-01-01-000000_create_users/up.sql",
        "2020-01-01-000000_create_users/down.sql",
        "2020-02-01-000000_create_posts/up.sql",
        "2020-02-01-000000_create_posts/down.sql",
    ]
    assert {(f.tool, f.set_root, f.transaction) for f in found.files} == {
        ("diesel", root, "per-file")
    }
    assert [f.direction for f in found.files] == ["up", "down", "up", "down"]


def test_synapse_full_schemas_first_then_deltas_by_schema_version() -> None:
    root = LAYOUTS / "synapse" / "schema" / "main"
    found = discover([LAYOUTS / "synapse"])
    assert _names(found, root) == [
        "schema_version.sql",
        "full_schemas/72/full.sql.postgres",
        "full_schemas/72/full.sql.sqlite",
        "delta/9/01_events.sql",
        "delta/10/01_rooms.sql",
        "delta/10/02_index.sql.postgres",
        "delta/10/02_index.sql.sqlite",
    ]
    assert {f.set_root for f in found.files} == {root}
    assert [f.tool for f in found.files] == ["plain"] + ["synapse"] * 6
    dialects = [None, "postgres", "sqlite", None, None, "postgres", "sqlite"]
    assert [f.dialect for f in found.files] == dialects
    assert [f.fresh_install for f in found.files] == [False, True, True, False, False, False, False]
    assert [f.version for f in found.files[1:]] == ["72", "72", "9", "10", "10", "10"]


def test_plain_orders_by_leading_number_then_name() -> None:
    root = LAYOUTS / "plain"
    found = discover([root])
    top = [f for f in found.files if f.set_root == root]
    assert _names(top, root) == [
        "001_init.sql",
        "0002-add-users.sql",
        "9_add_name.sql",
        "10_add_email.sql",
        "base_schema.sql",
        "seed.sql",
    ]
    assert {(f.tool, f.transaction, f.direction) for f in top} == {("plain", None, "up")}
    assert [f.path.name for f in top if f.fresh_install] == ["base_schema.sql"]
    assert {f.set_root for f in found.files} == {root, root / "legacy", root / "sqlite3"}
    assert "notes.txt" not in _by_name(found)


def test_discovery_is_ordered_by_set_root_then_sort_key() -> None:
    found = discover([LAYOUTS])
    assert list(found.files) == sorted(found.files, key=lambda f: (str(f.set_root), f.sort_key))
    assert len({f.path for f in found.files}) == len(found.files)


@pytest.mark.parametrize(
    "pattern",
    [
        "**/legacy/**",
        "legacy/*.sql",
        "legacy",
        "**/plain/legacy/*.sql",
        "000_*.sql",
        "0[0-9]0_old.sql",
    ],
)
def test_exclude_globs(pattern: str) -> None:
    root = LAYOUTS / "plain"
    assert "legacy/000_old.sql" in _names(discover([root]), root)
    kept = _names(discover([root], exclude=[pattern]), root)
    assert "legacy/000_old.sql" not in kept
    assert "001_init.sql" in kept


def test_exclude_globs_match_full_path_and_basename() -> None:
    root = LAYOUTS / "golang-migrate" / "migrations"
    kept = discover([root], exclude=["*.down.sql", str(root / "2_*")])
    assert _names(kept, root) == ["1_create_users.up.sql", "10_add_email.up.sql"]
    star_stays_in_segment = discover([LAYOUTS], exclude=["plain/*.sql"])
    assert [f for f in _names(star_stays_in_segment, LAYOUTS) if f.startswith("plain/")] == [
        "plain/legacy/000_old.sql",
        "plain/sqlite3/001_init.sql",
        "plain/sqlite3/002_more.postgres.sql",
    ]


def test_many_stars_against_a_long_file_name_take_linear_time(tmp_path: Path) -> None:
    name = "a" * 240 + ".sql"
    (tmp_path / name).write_text("SELECT 1;\n")
    started = time.monotonic()
    found = discover([tmp_path], exclude=["*a*a*a*a*a*a*a*b*.sql", "**/*a*a*a*a*a*a*a*b"])
    assert time.monotonic() - started < 2  # a backtracking regex takes hours here
    assert [f.path.name for f in found.files] == [name]
    assert discover([tmp_path], exclude=["*a*a*a*a*a*a*a*.sql"]).files == ()


def test_fresh_install_globs() -> None:
    root = LAYOUTS / "plain"
    found = discover([root], fresh_install_globs=["**/seed.sql", "legacy/"])
    fresh = [f.path.relative_to(root).as_posix() for f in found.files if f.fresh_install]
    assert fresh == ["base_schema.sql", "seed.sql", "legacy/000_old.sql"]


def test_missing_paths_and_duplicates() -> None:
    root = LAYOUTS / "plain"
    found = discover([root, root / "001_init.sql", str(root), LAYOUTS / "nope", "nope.sql"])
    assert found.missing == (str(LAYOUTS / "nope"), "nope.sql")
    assert len(found.files) == len(discover([root]).files)
    assert Counter(f.path for f in found.files).most_common(1)[0][1] == 1


def test_explicit_file_is_taken_whatever_its_name() -> None:
    notes = LAYOUTS / "plain" / "notes.txt"
    found = discover([notes])
    assert [(f.path, f.tool, f.set_root) for f in found.files] == [(notes, "plain", notes.parent)]
    flyway = discover(
        [LAYOUTS / "flyway-releases" / "migration" / "2.32" / "V2_32_1__release_32.sql"]
    )
    assert flyway.files[0].set_root == LAYOUTS / "flyway-releases" / "migration"


def test_relative_paths_are_kept_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(LAYOUTS)
    found = discover(["plain"], exclude=["legacy/**"])
    assert found.files[0].path == Path("plain") / "001_init.sql"
    assert Path("plain/legacy/000_old.sql") not in {f.path for f in found.files}


def test_walk_skips_hidden_and_vendored_dirs_and_survives_symlink_loops(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "001_init.sql").write_text("SELECT 1;\n")
    for skipped in (".hidden", "node_modules", "venv", ".venv", "__pycache__"):
        (tmp_path / "db" / skipped).mkdir()
        (tmp_path / "db" / skipped / "002_skipped.sql").write_text("SELECT 2;\n")
    try:
        os.symlink(tmp_path / "db", tmp_path / "db" / "loop", target_is_directory=True)
        os.symlink(tmp_path / "db" / "001_init.sql", tmp_path / "db" / "alias.sql")
    except (OSError, NotImplementedError):
        pytest.skip("symlinks are not available here")
    found = discover([tmp_path])
    assert [f.path.name for f in found.files] == ["001_init.sql"]  # alias.sql: same file


def test_looks_like_schema_dump() -> None:
    assert looks_like_schema_dump("--\n-- PostgreSQL database dump\n--\n")
    assert looks_like_schema_dump("-- MySQL dump 10.13  Distrib 8.0.32\n")
    assert looks_like_schema_dump(
        "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n"
    )
    assert looks_like_schema_dump(
        "SET statement_timeout = 0;\nSET standard_conforming_strings = on;\n"
        "SET check_function_bodies = false;\n"
    )
    assert looks_like_schema_dump("-- Name: attribute; Type: TABLE; Schema: public; Owner: -\n")
    assert looks_like_schema_dump(
        "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t(a);\n"
    )
    assert not looks_like_schema_dump("CREATE TABLE users (id int);\n-- MySQL is fine\n")
    assert not looks_like_schema_dump("SET standard_conforming_strings = on;\n")


@pytest.fixture(scope="module")
def corpus() -> Discovery:
    if not CORPUS.is_dir():
        pytest.skip(f"migration corpus not present at {CORPUS}")
    return discover([CORPUS])


def _set_of(corpus: Discovery, fragment: str) -> list[MigrationFile]:
    return [f for f in corpus.files if fragment in f.set_root.as_posix()]


def test_corpus_every_sql_file_found_once(corpus: Discovery) -> None:
    expected = {p for p in CORPUS.rglob("*.sql*") if p.is_file()}
    paths = [f.path for f in corpus.files if f.tool != "alembic"]  # revisions: test_alembic_lint
    assert len(paths) == len(set(paths))
    assert set(paths) == expected
    assert corpus.missing == ()


def test_corpus_spot_checks(corpus: Discovery) -> None:
    dhis2 = _set_of(corpus, "hisp/dhis/db/migration")
    assert {f.set_root.name for f in dhis2} == {"migration"}
    names = [f.path.name for f in dhis2]
    first_32 = next(i for i, n in enumerate(names) if n.startswith("V2_32_"))
    assert names.index("V2_31_1__Migrations_for_release_v31.sql") < first_32
    assert all(n.startswith("V2_31_") for n in names[:first_32])

    kratos = [f for f in corpus.files if "/kratos/" in f.path.as_posix()]
    autocommit = [f for f in kratos if ".autocommit." in f.path.name]
    assert autocommit and {f.transaction for f in autocommit} == {"none"}
    assert {f.tool for f in kratos} == {"popx"}

    hawkbit_pg = [f for f in corpus.files if f.path.name.endswith("POSTGRESQL.sql")]
    assert hawkbit_pg and {f.dialect for f in hawkbit_pg} == {"postgres"}
    baselines = [f for f in corpus.files if f.path.name.startswith("B1_20_0__")]
    assert len(baselines) == 3 and all(f.fresh_install for f in baselines)

    full = [f for f in corpus.files if "/full_schemas/" in f.path.as_posix()]
    assert len(full) == 6 and all(f.fresh_install and f.tool == "synapse" for f in full)

    dspace = _set_of(corpus, "sqlmigration/postgres")
    names = [f.path.name for f in dspace]
    assert names.index("V7.0_2018.06.07__DS-3851-permission.sql") < names.index(
        "V7.0_2019.05.02__DS-4239-workflow-xml-migration.sql"
    )
    assert names.index("V9.0_2025.03.12__registration_data.sql") < names.index(
        "V10.0_2026.01.07__create_table_items_for_update.sql"
    )

    prisma = [f for f in corpus.files if f.tool == "prisma"]
    assert {f.dialect for f in prisma} == {"postgres"}
    assert {f.set_root.name for f in prisma} == {"migrations"}


def test_flyway_conf_can_take_a_file_out_of_the_transaction(tmp_path: Path) -> None:
    (tmp_path / "V1__a.sql").write_text("SELECT 1;")
    (tmp_path / "V2__idx.sql").write_text("CREATE INDEX CONCURRENTLY i ON t (a);")
    (tmp_path / "V2__idx.sql.conf").write_text("executeInTransaction=false\n")
    (tmp_path / "V3__b.sql").write_text("SELECT 1;")
    (tmp_path / "V3__b.sql.conf").write_text("mixed=true\n")
    modes = {f.path.name: f.transaction for f in discover([tmp_path]).files}
    assert modes == {"V1__a.sql": "per-file", "V2__idx.sql": "none", "V3__b.sql": "per-file"}
