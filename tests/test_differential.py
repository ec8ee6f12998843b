"""`plan --from` proven on a real PostgreSQL: every plan must do what its file does.

The fixture sets under fixtures/differential/ cover every operation `plan --from` can
produce, in each layout; a file the planner gets wrong today is an xfail(strict=True)
naming the bug, so it flips when fixed. The corpus projects run with `-m corpus`.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from differential import (
    CORPUS,
    CORPUS_PROJECTS,
    FORMAT_OF_TOOL,
    NOT_REPLAYABLE,
    ROWS,
    Cluster,
    FileResult,
    Planned,
    ReplayOnce,
    Script,
    Step,
    corpus_sets,
    describe,
    fill,
    migration_sets,
    prove,
    prove_set,
    unordered_inserts,
)
from postgres import NoServer, Server

from migralint.config import Settings
from migralint.plan.from_file_partitions import replayed

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "differential"
# More sets, named in EXPECTED by their path under fixtures/ (plans/differential/…).
MORE_FIXTURES = FIXTURES.parent / "plans" / "differential"

# file under plans/differential/ → the reason of each statement kept, ending its refusal
PARTITIONED = (
    " is partitioned (PARTITION BY), and no plan is proven on such a table (PostgreSQL runs "
    "no CREATE or DROP INDEX CONCURRENTLY and no NOT VALID foreign key on one: the plan "
    "would stop midway)"
)
REFUSALS = {
    "constraint-clauses/02_fk_on_delete_set_null_columns.up.sql": [
        "add-foreign-key's plan does not carry ON DELETE SET NULL (org_id)"
    ],
    "constraint-clauses/03_unique_nulls_not_distinct.up.sql": [
        "add-unique's plan does not carry NULLS NOT DISTINCT (a, b)"
    ],
    "constraint-clauses/04_deferrable_keys.up.sql": [
        "add-unique's plan does not carry DEFERRABLE INITIALLY DEFERRED",
        "add-primary-key's plan does not carry DEFERRABLE",
    ],
    "constraint-clauses/05_unique_storage.up.sql": [
        "add-unique's plan does not carry WITH (fillfactor = 80)",
        "add-unique's plan does not carry USING INDEX TABLESPACE pg_default",
    ],
    "constraint-clauses/06_only_and_no_inherit.up.sql": [
        "add-check's plan does not carry ONLY",
        "add-check's plan does not carry NO INHERIT",
    ],
    "constraint-clauses/07_primary_key_on_a_nullable_column.up.sql": [
        "add-primary-key's plan needs legacy.code NOT NULL already, and the migrations before "
        "it leave it nullable: make it NOT NULL in a migration of its own first (migralint "
        "plan set-not-null)"
    ],
    "partitioned/02_index_on_a_partitioned_table.up.sql": ["readings" + PARTITIONED],
    "partitioned/03_foreign_key_on_a_partitioned_table.up.sql": ["readings" + PARTITIONED],
    # the CHECK's plan would ship, and the UNIQUE's stop
    "partitioned/04_check_then_unique_on_a_partitioned_table.up.sql": ["readings" + PARTITIONED]
    * 2,
    "partitioned/05_drop_a_partitioned_index.up.sql": ["readings" + PARTITIONED],
    "partitioned/06_renamed_partitioned_table.up.sql": [
        "readings" + PARTITIONED,
        "samples" + PARTITIONED,  # the catalog follows the rename
    ],
}

# file (relative to FIXTURES) → what the harness must find: a proven plan, nothing to plan,
# or (where the contract allows it) a refusal with a reason at plan time.
EQUAL_OR_REFUSED = ("equal", "refused")
EXPECTED: dict[str, str | tuple[str, ...]] = {
    "golang-migrate/01_init.up.sql": "kept",
    "golang-migrate/02_rename_column.up.sql": "equal",
    "golang-migrate/03_change_type.up.sql": "equal",
    "golang-migrate/04_narrow_varchar.up.sql": "equal",
    "golang-migrate/05_set_not_null.up.sql": "equal",
    "golang-migrate/06_add_column_default.up.sql": "equal",
    "golang-migrate/07_foreign_key.up.sql": "equal",
    "golang-migrate/08_unique.up.sql": "equal",
    "golang-migrate/09_check.up.sql": "equal",
    "golang-migrate/10_primary_key.up.sql": "equal",
    "golang-migrate/11_create_index.up.sql": "equal",
    "golang-migrate/12_drop_index.up.sql": "equal",
    "golang-migrate/13_drop_column.up.sql": "equal",
    "golang-migrate/14_drop_table.up.sql": "equal",
    "golang-migrate/15_rename_table.up.sql": "equal",
    "golang-migrate/16_multi_action.up.sql": "equal",
    "golang-migrate/17_redefine_index.up.sql": "equal",
    "golang-migrate/18_rename_serial_column.up.sql": "equal",
    "flyway/V1__init.sql": "kept",
    "flyway/V2__index_and_audit.sql": "equal",
    "flyway/V3__rename_used_by_a_view.sql": "equal",
    "dbmate/db/migrations/20240101000000_init.sql": "kept",
    "dbmate/db/migrations/20240102000000_balance_check.sql": "equal",
    "dbmate/db/migrations/20240103000000_drop_owner_index.sql": "equal",
    "diesel/migrations/2024-01-01-000000_init/up.sql": "kept",
    # numeric(8,2) to numeric(12,2) keeps the scale: no rewrite (PostgreSQL 9.2+), no plan
    "diesel/migrations/2024-01-02-000000_price_type/up.sql": "kept",
    "plans/differential/diesel/migrations/2024-01-01-000000_init/up.sql": "kept",
    "plans/differential/diesel/migrations/2024-01-02-000000_price_scale/up.sql": "equal",
    # a trigger on diesel's own table: the history replays only if the harness creates it
    "plans/differential/diesel/migrations/2024-01-03-000000_forbid_diesel_cli/up.sql": "kept",
    "plans/differential/diesel/migrations/2024-01-04-000000_label_index/up.sql": "equal",
    "plans/differential/golang-migrate/01_init.up.sql": "kept",
    # drop-table's contract has no CASCADE: it would fail on the FK and the view
    "plans/differential/golang-migrate/02_drop_table_cascade.up.sql": "refused",
    # the rename's expand would add `name` while the drop's contract still has to drop it
    "plans/differential/golang-migrate/03_rename_onto_a_dropped_column.up.sql": "refused",
    # the inner DELETEs of a BEGIN ATOMIC body and a rule's action are not kept at top level
    "plans/differential/golang-migrate/04_routine_and_rule_bodies.up.sql": "equal",
    "plans/differential/golang-migrate/05_index_definitions_as_written.up.sql": "equal",
    "plans/differential/golang-migrate/06_volatile_default_on_a_text_key.up.sql": "equal",
    "plans/differential/golang-migrate/07_rename_a_column_a_new_view_uses.up.sql": "refused",
    "plans/differential/golang-migrate/08_add_column_default_as_written.up.sql": "equal",
    "plans/differential/renamed-twice/01_init.up.sql": "kept",
    "plans/differential/redefined-index/01_init.up.sql": "kept",
    "plans/differential/primary-key-moved/01_init.up.sql": "kept",
    "plans/differential/kept-after-a-plan/01_init.up.sql": "kept",
    "plans/differential/shared-constraint/01_init.up.sql": "kept",
    "plans/differential/shared-constraint/02_rename_two_columns_of_one_check.up.sql": "refused",
    "plans/differential/kept-after-a-plan/02_table_created_after_a_rename.up.sql": "equal",
    "plans/differential/primary-key-moved/02_key_moves_to_another_column.up.sql": "refused",
    # the kept ADD COLUMN runs before the build of the new definition, which uses it
    "plans/differential/redefined-index/02_new_definition_on_an_added_column.up.sql": "equal",
    "plans/differential/redefined-index/03_a_column_of_the_old_definition_dropped_between"
    ".up.sql": "refused",
    "plans/differential/constraint-clauses/01_init.up.sql": "kept",
    "plans/differential/partitioned/01_init.up.sql": "kept",
    "plans/differential/constraint-clauses/08_only_foreign_key_on_an_inherited_table.up.sql": (
        "equal"
    ),
    "plans/differential/partitioned/07_index_on_a_partition.up.sql": "equal",
    **{f"plans/differential/{name}": "refused" for name in REFUSALS},
    "plans/differential/scan-order/01_init.up.sql": "kept",
    # the renames' backfills rewrite the rows that the INSERT … SELECTs then scan
    "plans/differential/scan-order/02_rename_then_combine_unordered.up.sql": "equal",
    "plans/differential/scan-order/03_rename_then_combine_ordered.up.sql": "equal",
    "plans/differential/renamed-twice/02_rename.up.sql": "equal",
    "plans/differential/renamed-twice/03_rename_again.up.sql": "equal",
    "plans/differential/catalog-facts/01_init.up.sql": "kept",
    "plans/differential/catalog-facts/02_change_the_type_of_a_collated_column.up.sql": "equal",
    "plans/differential/catalog-facts/03_rename_a_column_of_a_renamed_table.up.sql": "equal",
    "plans/differential/catalog-facts/04_rename_a_column_of_a_recreated_table.up.sql": "equal",
    # The backfill would fire the table's BEFORE UPDATE trigger on every row, which the
    # rename does not: the expand's guard refuses before changing anything.
    "plans/differential/update-triggers/01_init.up.sql": "kept",
    "plans/differential/update-triggers/02_rename_a_column_of_a_table_with_an_update_trigger"
    ".up.sql": "refused",
    "prisma/migrations/20240101000000_init/migration.sql": "kept",
    "prisma/migrations/20240102000000_rename_title/migration.sql": "equal",
    "plain/0001_init.sql": "kept",
    "plain/0002_unique_label.sql": "equal",
    "exact-copies/01_init.up.sql": "kept",
    "exact-copies/02_rename_constrained_column.up.sql": EQUAL_OR_REFUSED,
    "exact-copies/03_rename_foreign_key_column.up.sql": EQUAL_OR_REFUSED,
    "exact-copies/04_rename_referenced_column.up.sql": EQUAL_OR_REFUSED,
    "exact-copies/05_change_type_on_a_uuid_key.up.sql": EQUAL_OR_REFUSED,
    "exact-copies/06_rename_identity_column.up.sql": EQUAL_OR_REFUSED,
    "exact-copies/07_rename_on_a_table_keyed_by_user_id.up.sql": EQUAL_OR_REFUSED,
    "exact-copies/08_unnamed_foreign_key.up.sql": EQUAL_OR_REFUSED,
    "exact-copies/09_create_an_index_that_exists.up.sql": "kept",
    "exact-copies/10_check_with_not_in.up.sql": EQUAL_OR_REFUSED,
    "exact-copies/11_set_not_null_on_a_not_null_column.up.sql": "kept",
}

# Files the planner gets wrong today: the reason names the bug the harness shows.
PLANNER_BUGS: dict[str, str] = {}


def test_the_replay_carried_from_file_to_file_is_plan_from_s_own() -> None:
    """The harness replays each set once (ReplayOnce); every file must still be planned
    against the catalog `plan --from` builds by replaying its whole history."""
    once, seen = ReplayOnce(), []
    for files in migration_sets(FIXTURES):
        for m in files:
            carried = vars(once([m.set_root], Settings(), m.path))
            assert carried == vars(replayed([m.set_root], Settings(), m.path)), m.path
            seen.append(carried)
    assert any(a != b for a, b in itertools.pairwise(seen))  # the catalogs differ


@pytest.fixture(scope="module")
def cluster(pg_server: Any) -> Any:
    found = Cluster(pg_server.host, timeout=120)
    yield found
    found.close()


@pytest.fixture(scope="module")
def fixture_results(cluster: Cluster) -> dict[str, FileResult]:
    """Every fixture file's result, each set proven once."""
    results = {}
    for root, prefix in ((FIXTURES, ""), (MORE_FIXTURES, "plans/differential/")):
        for files in migration_sets(root):
            for result in prove_set(cluster, files).results:
                results[prefix + result.path.relative_to(root).as_posix()] = result
    return results


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            name,
            marks=[pytest.mark.xfail(strict=True, reason=PLANNER_BUGS[name])]
            if name in PLANNER_BUGS
            else [],
        )
        for name in EXPECTED
    ],
)
def test_the_plan_does_what_the_file_does(
    name: str, fixture_results: dict[str, FileResult]
) -> None:
    result = fixture_results[name]
    expected = EXPECTED[name]
    allowed = expected if isinstance(expected, tuple) else (expected,)
    assert result.outcome in allowed, "\n".join([result.detail, *result.notes])


@pytest.mark.parametrize("name", REFUSALS)
def test_a_plan_that_would_drop_a_clause_or_stop_midway_is_refused_with_its_reason(
    name: str, fixture_results: dict[str, FileResult]
) -> None:
    lines = fixture_results[f"plans/differential/{name}"].detail.splitlines()
    assert len(lines) == len(REFUSALS[name])
    for line, reason in zip(lines, REFUSALS[name], strict=True):
        assert line.endswith(f"kept as written, plan it by hand: {reason}"), line


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (
            "redefined-index/03_a_column_of_the_old_definition_dropped_between.up.sql",
            "line 3 drops index idx_post_aggregates_hot and line 7 creates it again, and line "
            "5 between them uses the old index or what it is built on: the plan keeps the old "
            "index until its contract. Move the DROP INDEX to just before line 7, then plan "
            "the file",
        ),
        (
            "shared-constraint/02_rename_two_columns_of_one_check.up.sql",
            "line 3 plans rename-column, and line(s) 5 also change what it changes: their "
            "later phases would run after the column is renamed. Move that statement into a "
            "migration of its own and plan each file",
        ),
        (
            "primary-key-moved/02_key_moves_to_another_column.up.sql",
            "line 5 drops primary key remote_image and line 6 creates it again: a planned drop "
            "runs in the contract, after the new definition. Drop the old one in a migration "
            "of its own first, or create the new one under another name and swap them by hand",
        ),
    ],
)
def test_a_plan_that_would_keep_what_the_file_drops_too_long_is_refused(
    name: str, reason: str, fixture_results: dict[str, FileResult]
) -> None:
    assert fixture_results[f"plans/differential/{name}"].detail == f"migralint: error: {reason}"


@pytest.mark.parametrize(
    ("name", "unpaired"),
    [
        ("02_rename_then_combine_unordered.up.sql", ["rows modlog"]),
        ("03_rename_then_combine_ordered.up.sql", []),
    ],
)
def test_only_ids_an_unordered_insert_select_draws_go_unpaired(
    name: str, unpaired: list[str], fixture_results: dict[str, FileResult]
) -> None:
    notes = fixture_results[f"plans/differential/scan-order/{name}"].notes
    assert [n.split(":")[0] for n in notes if "scan order" in n] == unpaired


def test_every_fixture_file_has_an_expectation(fixture_results: dict[str, FileResult]) -> None:
    assert sorted(fixture_results) == sorted(EXPECTED)


def test_every_layout_with_a_writer_is_covered() -> None:
    tools = {files[0].tool for files in migration_sets(FIXTURES)}
    assert tools == set(FORMAT_OF_TOOL) - {"popx"}


# The harness itself: it must see what a wrong plan does.

SEED = """
CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE TABLE parents (id uuid PRIMARY KEY, name varchar(20) NOT NULL CHECK (name <> ''));
CREATE TABLE children (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id uuid NOT NULL REFERENCES parents (id),
    feeling mood NOT NULL,
    moods mood[] NOT NULL,
    born timestamptz NOT NULL,
    tags text[],
    score numeric(4,1),
    note text DEFAULT 'x'
);
"""


@pytest.fixture
def seeded(cluster: Cluster) -> Any:
    name = cluster.create()
    with cluster.connect(name) as conn:
        conn.execute(SEED)
    yield name
    cluster.drop(name)


def test_rows_go_into_every_named_table_and_the_tables_it_references(
    cluster: Cluster, seeded: str
) -> None:
    with cluster.connect(seeded) as conn:
        assert fill(conn, "ALTER TABLE children ALTER COLUMN note SET NOT NULL;", "varied") == []
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM parents), (SELECT count(*) FROM children), "
            "(SELECT count(*) FROM children WHERE note IS NULL)"
        ).fetchone()
    assert counts is not None and counts[:2] == (ROWS, ROWS) and 0 < counts[2] < ROWS


def test_a_table_its_parents_triggers_fill_is_not_reported_unfilled(
    cluster: Cluster, seeded: str
) -> None:
    """Filling parents fires their triggers (lemmy's aggregates: one row per comment): a
    child they filled keeps those rows, and is not a table the proof ran without."""
    with cluster.connect(seeded) as conn:
        conn.execute(
            "CREATE TABLE parent_stats (parent_id uuid UNIQUE NOT NULL REFERENCES parents);"
            "CREATE FUNCTION count_parent() RETURNS trigger LANGUAGE plpgsql AS "
            "$$BEGIN INSERT INTO parent_stats VALUES (NEW.id); RETURN NEW; END$$;"
            "CREATE TRIGGER counted AFTER INSERT ON parents FOR EACH ROW EXECUTE FUNCTION count_parent();"
        )
        notes = fill(conn, "CREATE INDEX ON parent_stats (parent_id);", "varied")
        held = conn.execute("SELECT count(*) FROM parent_stats").fetchone()
    assert notes == [
        "could not add rows to parent_stats, which has rows already: duplicate key value "
        'violates unique constraint "parent_stats_parent_id_key"'
    ]
    assert held == (ROWS,)


def _plan(*ups: str, down: str = "SELECT 1;", summary: str = "a plan for the test") -> Planned:
    steps = [
        Step(
            f"{i}.sql",
            Script(f"{i}.up.sql", up, "implicit"),
            Script(f"{i}.down.sql", down, "implicit"),
            kept=False,
        )
        for i, up in enumerate(ups)
    ]
    return Planned("planned", summary, tuple(steps))


def test_a_plan_that_loses_a_default_and_a_row_is_different(cluster: Cluster, seeded: str) -> None:
    original = Script(
        "t.sql", "ALTER TABLE children ALTER COLUMN note SET DEFAULT 'y';", "transaction"
    )
    result = prove(cluster, seeded, original, _plan("DELETE FROM children WHERE id = 1;"))
    assert result.outcome == "different"
    assert "~ column public.children.note: text DEFAULT 'x'::text  →  text DEFAULT 'y'::text"
    assert (
        "~ column children.note: text DEFAULT 'y'::text  →  text DEFAULT 'x'::text" in result.detail
    )
    assert f"~ rows children: {ROWS} rows" in result.detail


def test_an_equal_plan_whose_down_does_not_restore_is_different(
    cluster: Cluster, seeded: str
) -> None:
    original = Script("t.sql", "CREATE INDEX children_born_idx ON children (born);", "transaction")
    result = prove(
        cluster,
        seeded,
        original,
        _plan("CREATE INDEX CONCURRENTLY children_born_idx ON children (born);"),
    )
    assert result.outcome == "different"
    assert (
        result.detail
        == "down: + index children_born_idx: CREATE INDEX children_born_idx ON public.children USING btree (born)"
    )


def test_a_plan_accepting_rows_the_original_rejects_is_different(
    cluster: Cluster, seeded: str
) -> None:
    original = Script(
        "t.sql", "ALTER TABLE parents ALTER COLUMN name TYPE varchar(3);", "transaction"
    )
    result = prove(
        cluster,
        seeded,
        original,
        _plan("ALTER TABLE parents ALTER COLUMN name TYPE varchar(3) USING name::varchar(3);"),
    )
    assert result.outcome == "different"
    assert result.detail.startswith(
        "the original fails (t.sql: value too long for type character varying(3))"
    )


def test_a_history_that_fails_cannot_replay_what_follows(cluster: Cluster, tmp_path: Path) -> None:
    (tmp_path / "1_init.up.sql").write_text(
        "CREATE EXTENSION postgis;\nCREATE TABLE t (id bigint PRIMARY KEY, a int);\n"
    )
    (tmp_path / "2_not_null.up.sql").write_text("ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n")
    [files] = migration_sets(tmp_path)
    report = prove_set(cluster, files)
    assert report.history_error.startswith("1_init.up.sql: ")
    assert [(r.path.name, r.outcome) for r in report.results] == [
        ("1_init.up.sql", "kept"),
        ("2_not_null.up.sql", "cannot-replay"),
    ]


def test_values_of_a_volatile_default_are_compared_by_their_nulls(
    cluster: Cluster, seeded: str
) -> None:
    add = "ALTER TABLE children ADD COLUMN stamp timestamptz DEFAULT clock_timestamp();"
    original = Script("t.sql", add, "transaction")
    plan = _plan(add, down="ALTER TABLE children DROP COLUMN stamp;")
    result = prove(cluster, seeded, original, plan)
    assert (result.outcome, result.detail) == ("equal", ""), result.detail


def test_dates_the_file_writes_from_the_clock_compare_as_now(cluster: Cluster, seeded: str) -> None:
    stamp = "ALTER TABLE children ADD COLUMN seen timestamptz; UPDATE children SET seen = now();"
    plan = _plan(stamp, down="ALTER TABLE children DROP COLUMN seen;")
    result = prove(cluster, seeded, Script("t.sql", stamp, "transaction"), plan)
    assert (result.outcome, result.detail) == ("equal", ""), result.detail


def test_data_a_file_draws_at_random_is_a_note_not_a_difference(
    cluster: Cluster, seeded: str
) -> None:
    shuffle = "UPDATE children SET note = gen_random_uuid()::text;"
    plan = _plan(shuffle, summary="the old notes are not restored")
    result = prove(cluster, seeded, Script("t.sql", shuffle, "transaction"), plan)
    assert result.outcome == "equal"
    assert any(n.startswith("the file calls gen_random_uuid: ") for n in result.notes)


def test_ids_the_original_draws_from_a_sequence_are_drawn_again_by_the_plan(
    cluster: Cluster, seeded: str
) -> None:
    copy = (
        "INSERT INTO children (parent_id, feeling, moods, born) "
        "SELECT parent_id, feeling, moods, born FROM children ORDER BY id LIMIT 3;"
    )
    plan = _plan(copy, down=f"DELETE FROM children WHERE id > {ROWS};")
    result = prove(cluster, seeded, Script("t.sql", copy, "transaction"), plan)
    assert (result.outcome, result.detail) == ("equal", ""), result.detail


_COPIES = "CREATE TABLE copies (id serial PRIMARY KEY, parent_id uuid NOT NULL);\n"


def test_ids_an_unordered_insert_select_draws_are_not_paired_with_its_rows(
    cluster: Cluster, seeded: str
) -> None:
    """No ORDER BY: PostgreSQL promises no order, so which row gets which id may differ."""
    scan = _COPIES + "INSERT INTO copies (parent_id) SELECT parent_id FROM children;"
    plan = _plan(
        _COPIES + "INSERT INTO copies (parent_id) SELECT parent_id FROM children ORDER BY id DESC;",
        down="DROP TABLE copies;",
    )
    result = prove(cluster, seeded, Script("t.sql", scan, "transaction"), plan)
    assert (result.outcome, result.detail) == ("equal", ""), result.detail
    assert any(
        n.startswith("rows copies: the ids the file's INSERT … SELECT") for n in result.notes
    )


def test_ids_an_ordered_insert_select_draws_are_compared_exactly(
    cluster: Cluster, seeded: str
) -> None:
    ordered = _COPIES + "INSERT INTO copies (parent_id) SELECT parent_id FROM children ORDER BY id;"
    plan = _plan(ordered.replace("ORDER BY id;", "ORDER BY id DESC;"), down="DROP TABLE copies;")
    result = prove(cluster, seeded, Script("t.sql", ordered, "transaction"), plan)
    assert result.outcome == "different"
    assert result.detail.startswith(f"~ rows copies: {ROWS} rows, md5 "), result.detail
    assert not any("scan order" in n for n in result.notes)


def test_rows_the_file_does_not_insert_keep_their_ids_paired(cluster: Cluster, seeded: str) -> None:
    """Only the ids drawn while the file runs are unpaired: rows there before keep theirs."""
    scan = "INSERT INTO children (parent_id, feeling, moods, born) SELECT parent_id, feeling, moods, born FROM children;"
    swap = " UPDATE children c SET score = o.score FROM children o WHERE (c.id, o.id) IN ((1, 2), (2, 1));"
    result = prove(
        cluster,
        seeded,
        Script("t.sql", scan, "transaction"),
        _plan(scan + swap, summary="not restored"),
    )
    assert result.outcome == "different"
    assert "~ unpaired rows children: " in result.detail, result.detail
    assert "data children" not in result.detail  # each column holds the same values


def test_which_insert_selects_draw_ids_in_scan_order() -> None:
    assert unordered_inserts(
        "INSERT INTO a (x) SELECT x FROM s;\n"
        "WITH w AS (SELECT 1 AS x) INSERT INTO b (x, y) SELECT x, 2 FROM w;\n"
        "INSERT INTO b (x) (SELECT x FROM s UNION SELECT x FROM t);\n"
        "INSERT INTO c (x) SELECT x FROM s ORDER BY x;\n"
        "INSERT INTO d (x) SELECT 1;\n"
        "INSERT INTO e (x) VALUES (1), (2);\n"
        "INSERT INTO f SELECT * FROM s;\n"
    ) == {"a": frozenset({"x"}), "b": frozenset({"x"})}


# Server settings a corpus history needs (tests/postgres.py)


def test_a_server_setting_a_project_needs_is_the_started_servers() -> None:
    try:
        server = Server(
            Path("unused"), kind="path", settings=dict(CORPUS_PROJECTS["dhis2-core"].settings)
        )
    except NoServer as error:
        pytest.skip(str(error))
    try:
        with server.database() as conn:
            assert conn.execute("SHOW max_locks_per_transaction").fetchone() == ("1024",)
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("kind", "settings", "error"),
    [
        ("pgserver", {"max_locks_per_transaction": "1024"}, "pgserver takes no server settings"),
        ("path", {"work_mem": "64MB; rm"}, "server setting work_mem='64MB; rm': give a name"),
    ],
)
def test_a_server_setting_that_cannot_be_given_is_refused_before_the_start(
    kind: str, settings: dict[str, str], error: str
) -> None:
    with pytest.raises(NoServer, match=re.escape(error)):
        Server(Path("unused"), kind=kind, settings=settings)


# The corpus: long, so only with `-m corpus`, and only where ../shared/corpus is.


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "project" in metafunc.fixturenames:
        metafunc.config.addinivalue_line(
            "markers", "corpus: the differential proof over ../shared/corpus (long: -m corpus)"
        )
        metafunc.parametrize(
            "project",
            [
                pytest.param(p, marks=pytest.mark.corpus)
                for p in [*CORPUS_PROJECTS, *NOT_REPLAYABLE]
            ],
        )


@contextlib.contextmanager
def _cluster_for(project: str, shared: Cluster, folder: Path) -> Iterator[Cluster]:
    """The session's server, or one of the project's own started with the server
    settings its history needs."""
    settings = dict(CORPUS_PROJECTS[project].settings)
    if not settings:
        yield shared
        return
    try:
        server = Server(folder, settings=settings)
    except NoServer as error:
        pytest.skip(str(error))
    own = Cluster(server.host, timeout=shared.timeout)
    try:
        yield own
    finally:
        own.close()
        server.stop()


def test_the_corpus_plans_do_what_their_files_do(
    project: str,
    cluster: Cluster,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent")
    if project in NOT_REPLAYABLE:
        pytest.skip(f"{project} cannot be replayed: {NOT_REPLAYABLE[project]}")
    if "corpus" not in (request.config.option.markexpr or ""):
        pytest.skip("the corpus run takes long: select it with -m corpus")
    with _cluster_for(project, cluster, tmp_path) as used:
        reports = [
            prove_set(used, files, setup=setup, timeout=300)
            for files, setup in corpus_sets(project)
        ]
    with capsys.disabled():
        print("\n" + "\n".join(describe(r) for r in reports))
    wrong = [
        r
        for report in reports
        for r in report.results
        if r.outcome in ("different", "failed", "crashed")
    ]
    assert not wrong, describe(reports[0])
