"""`migralint check` on Alembic projects: revisions read statically, in graph order,
findings at the Python line of the `op.` call, downgrades judged for rollback only."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from helpers import CORPUS

from migralint.alembic import front_end, revision
from migralint.alembic import project as project_module
from migralint.alembic.environment import dialect_of_url
from migralint.config import Settings
from migralint.engine import LintResult, lint_paths

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "alembic"
SHOP = FIXTURES / "shop"


def _at(result: LintResult, name: str) -> list[tuple[int, str]]:
    return sorted((f.line, f.rule) for f in result.findings if f.path.endswith(name))


def _line(path: Path, text: str, start: int = 1) -> int:
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if i >= start and text in line)


def test_every_revision_is_linted_in_graph_order() -> None:
    result = lint_paths([SHOP], Settings())
    assert result.files_linted == 5 and result.skipped == {}
    linted = list(dict.fromkeys(Path(i.path).name for i in result.contexts))
    assert linted == [
        "a1_create_users.py",
        "b2_every_op.py",
        "c3_tags.py",
        "c4_coupons.py",
        "d5_merge.py",
    ]


def test_findings_point_at_the_op_call() -> None:
    result = lint_paths([SHOP], Settings())
    path = SHOP / "versions" / "b2_every_op.py"
    found = _at(result, "b2_every_op.py")
    assert (
        _line(path, 'op.create_index("ix_users_name"'),
        "require-concurrent-index-creation",
    ) in (found)
    assert (_line(path, 'batch_op.drop_column("note")'), "drop-column") in found
    assert (_line(path, 'new_column_name="mail"'), "rename-column") in found
    assert (_line(path, 'op.rename_table("orders", "purchases")'), "rename-table") in found
    assert (_line(path, 'op.execute("UPDATE users'), "backfill-with-ddl") in found
    # env.py sets lock_timeout for every revision; the concurrent build is in an autocommit block
    rules = {rule for _, rule in found}
    assert "require-lock-timeout" not in rules
    assert "concurrent-index-in-transaction" not in rules
    # integer → bigint rewrites; varchar(50) → varchar(100) (existing_type) and
    # numeric(10,2) → numeric(12,2) (old type from a1's create_table) rewrite nothing
    retypes = [line for line, rule in found if "type" in rule]
    assert retypes == [_line(path, 'op.alter_column("orders", "user_id"')]
    assert (retypes[0], "changing-column-type") in found


def test_the_downgrade_is_judged_for_rollback_only() -> None:
    path = SHOP / "versions" / "b2_every_op.py"
    downgrade = _line(path, "def downgrade")
    result = lint_paths([SHOP], Settings())
    down = [(line, rule) for line, rule in _at(result, "b2_every_op.py") if line > downgrade]
    assert "adding-foreign-key-constraint" not in {rule for _, rule in down}
    everything = lint_paths([SHOP], Settings(lint_downs="all"))
    fk = _line(path, 'op.create_foreign_key("orders_user_id_fkey"', downgrade)
    assert (fk, "adding-foreign-key-constraint") in _at(everything, "b2_every_op.py")
    contexts = {(Path(i.path).name, i.direction) for i in result.contexts}
    assert ("b2_every_op.py", "down") in contexts


def test_a_type_change_without_existing_type_or_history_is_not_judged(tmp_path: Path) -> None:
    revision = tmp_path / "versions" / "e5_widen.py"
    revision.parent.mkdir()
    revision.write_text(
        'import sqlalchemy as sa\nfrom alembic import op\n\nrevision = "e5"\n'
        "down_revision = None\n\n\ndef upgrade():\n"
        '    op.alter_column("users", "name", type_=sa.String(100))\n'
    )
    result = lint_paths([tmp_path], Settings(select=("compatibility",)))
    assert [(f.rule, f.line) for f in result.findings] == [("changing-column-type", 9)]
    assert "cannot be judged: the old type is unknown" in result.findings[0].message


def test_without_existing_type_the_creating_revision_gives_the_old_type(tmp_path: Path) -> None:
    """As SQL's ALTER COLUMN TYPE is judged: e2 narrows e1's varchar(255) (values that do
    not fit make it fail), and widens e1's integer to bigint (a rewrite), both without
    existing_type; the same rules judge them as SQL's."""
    versions = tmp_path / "versions"
    versions.mkdir()
    head = 'import sqlalchemy as sa\nfrom alembic import op\n\nrevision = "{}"\n'
    (versions / "e1_create.py").write_text(
        head.format("e1") + "down_revision = None\n\n\ndef upgrade():\n"
        '    op.create_table("users", sa.Column("name", sa.String(255)), '
        'sa.Column("visits", sa.Integer()))\n'
    )
    (versions / "e2_retype.py").write_text(
        head.format("e2") + 'down_revision = "e1"\n\n\ndef upgrade():\n'
        '    op.alter_column("users", "name", type_=sa.String(50))\n'
        '    op.alter_column("users", "visits", type_=sa.BigInteger())\n'
    )
    result = lint_paths([tmp_path], Settings(select=("compatibility",)))
    assert [(f.rule, f.line) for f in result.findings] == [
        ("narrowing-column-type", 9),
        ("changing-column-type", 10),
    ]
    assert "from integer to bigint" in result.findings[1].message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("type_=sa.BigInteger(), existing_type=sa.Integer()", ["changing-column-type"]),
        ("type_=sa.String(100), existing_type=sa.String(50)", []),
        ("type_=sa.String(10), existing_type=sa.String(50)", ["narrowing-column-type"]),
    ],
)
def test_existing_type_is_the_old_type_when_no_revision_created_the_column(
    tmp_path: Path, change: str, expected: list[str]
) -> None:
    revision = tmp_path / "versions" / "e5_retype.py"
    revision.parent.mkdir()
    revision.write_text(
        'import sqlalchemy as sa\nfrom alembic import op\n\nrevision = "e5"\n'
        "down_revision = None\n\n\ndef upgrade():\n"
        f'    op.alter_column("users", "code", {change})\n'
    )
    result = lint_paths([tmp_path], Settings(select=("compatibility",)))
    assert [f.rule for f in result.findings] == expected
    assert all(
        "from varchar(50)" in f.message or "from integer" in f.message for f in result.findings
    )


def test_bad_revisions_are_findings_and_the_rest_is_linted(tmp_path: Path) -> None:
    project = shutil.copytree(FIXTURES / "broken", tmp_path / "broken")
    shutil.move(project / "s1_syntax_error.py.txt", project / "versions" / "s1_syntax_error.py")
    result = lint_paths([project], Settings())
    assert result.files_linted == 9
    assert _at(result, "s1_syntax_error.py") == [(8, "syntax-error")]
    assert ("alembic-revision-graph") in {r for _, r in _at(result, "r2_orphan.py")}
    unresolved = _at(result, "u1_unresolved.py")
    assert [line for line, rule in unresolved if rule == "alembic-unresolved-op"] == [9, 11, 12]
    assert (13, "drop-table") in unresolved
    assert not [f for f in result.findings if f.rule == "internal-error"]


def test_commit_inside_a_revision_is_flagged() -> None:
    result = lint_paths([FIXTURES / "quay_style"], Settings())
    path = FIXTURES / "quay_style" / "versions" / "q1_helpers.py"
    assert (_line(path, "db.session.commit()"), "alembic-commit-in-revision") in _at(
        result, "q1_helpers.py"
    )


def test_a_revision_is_never_imported(tmp_path: Path) -> None:
    project = shutil.copytree(FIXTURES / "planted", tmp_path / "planted")
    result = lint_paths([project], Settings())
    assert not (project / "versions" / "IMPORTED").exists()
    assert result.files_linted == 1
    assert ("drop-column", 14) in [(f.rule, f.line) for f in result.findings]
    single = lint_paths([project / "versions" / "p1_planted.py"], Settings())
    assert single.files_linted == 1 and not (project / "versions" / "IMPORTED").exists()


def test_python_files_that_are_not_revisions_are_not_taken() -> None:
    result = lint_paths([SHOP], Settings())
    assert not [i for i in result.contexts if i.path.endswith("env.py")]


@pytest.mark.parametrize(("project", "revisions"), [("redash", 27), ("ctfd", 36), ("quay", 124)])
def test_corpus_every_revision_read_none_crashes(project: str, revisions: int) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"migration corpus not present at {CORPUS}")
    root = CORPUS / project
    expected = {
        p for p in root.rglob("*.py") if "revision =" in p.read_text() and p.name != "env.py"
    }
    result = lint_paths([root], Settings())
    linted = {Path(i.path) for i in result.contexts}
    assert linted == expected and len(expected) == revisions
    assert result.files_linted == revisions
    rules = Counter(f.rule for f in result.findings)
    assert rules["internal-error"] == 0 and rules["syntax-error"] == 0
    assert rules["alembic-revision-graph"] == 0


def test_autogenerate_leftovers_get_their_own_findings_and_no_guesses() -> None:
    result = lint_paths([FIXTURES / "autogenerated"], Settings())
    path = FIXTURES / "autogenerated" / "versions" / "g1_reschedule.py"
    found = _at(result, "g1_reschedule.py")
    assert (_line(path, "op.drop_constraint(None"), "alembic-failing-op") in found
    rules = {rule for _, rule in found}
    assert "adding-field-with-default" not in rules  # json.dumps({}) is a constant
    assert "alembic-unresolved-op" not in rules


def test_subfolders_of_versions_are_one_graph_and_dialect_trees_their_own() -> None:
    root = FIXTURES / "nested" / "versions"
    result = lint_paths([root.parent], Settings())
    assert result.files_linted == 3  # m1: the mysql tree, beside the postgresql one
    assert [(f.path.name, f.not_run) for f in result.not_run] == [
        (
            "m1_search.py",
            "of the mysql tree: on postgres, the dialect judged, env.py runs versions/postgresql/",
        )
    ]
    assert "alembic-revision-graph" not in {f.rule for f in result.findings}
    infos = {Path(i.path).name: i for i in result.contexts if i.direction == "up"}
    assert infos["n1_accounts.py"].set_root == infos["n2_add_email.py"].set_root == str(root)
    assert [Path(i.path).name for i in result.contexts if "20" in i.path][:1] == ["n1_accounts.py"]
    assert infos["p1_search.py"].set_root == str(root / "postgresql")
    assert infos["p1_search.py"].dialect == "postgres"
    index_rules = {f.rule for f in result.findings if f.path.endswith("p1_search.py")}
    assert "require-concurrent-index-creation" in index_rules


def test_messages_quote_the_python_call_and_the_sql_keeps_its_facts() -> None:
    result = lint_paths([SHOP], Settings())
    backfill = next(f for f in result.findings if f.rule == "backfill-with-ddl")
    assert 'op.add_column("users", sa.Column("nickname"' in backfill.message


def test_a_second_run_sees_revisions_edited_since(tmp_path: Path) -> None:
    project = shutil.copytree(SHOP, tmp_path / "shop")
    settings = Settings()
    assert "alembic-revision-graph" not in {
        f.rule for f in lint_paths([project], settings).findings
    }
    child = project / "versions" / "c3_tags.py"
    child.write_text(child.read_text().replace('down_revision = "b2"', 'down_revision = "zz"'))
    again = lint_paths([project], Settings())
    assert [
        (Path(f.path).name, f.rule) for f in again.findings if f.rule == "alembic-revision-graph"
    ] == [("c3_tags.py", "alembic-revision-graph")]


def test_identifiers_after_a_long_docstring_are_found() -> None:
    result = lint_paths([FIXTURES / "long_docstring"], Settings())
    assert result.files_linted == 1
    assert "drop-column" in {f.rule for f in result.findings}


def test_a_parent_in_another_version_location_is_no_missing_parent() -> None:
    result = lint_paths([FIXTURES / "locations"], Settings())
    assert result.files_linted == 2
    assert "alembic-revision-graph" not in {f.rule for f in result.findings}


def test_each_revision_file_is_parsed_once_per_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Discovery's version set serves the front end: no file is parsed twice."""
    project = shutil.copytree(SHOP, tmp_path / "shop")
    parsed: Counter[str] = Counter()
    real = revision.read_revision

    def counting(path: Path, text: str) -> revision.Revision:
        parsed[path.name] += 1
        return real(path, text)

    monkeypatch.setattr(project_module, "read_revision", counting)
    monkeypatch.setattr(front_end, "read_revision", counting)
    assert lint_paths([project], Settings()).files_linted == 5
    assert set(parsed.values()) == {1} and len(parsed) == 5


def test_a_second_run_sees_a_revision_added_since(tmp_path: Path) -> None:
    project = shutil.copytree(SHOP, tmp_path / "shop")
    assert lint_paths([project], Settings()).files_linted == 5
    (project / "versions" / "e6_second_head.py").write_text(
        'revision = "e6"\ndown_revision = "b2"\n\ndef upgrade():\n    pass\n'
    )
    again = lint_paths([project], Settings())
    assert again.files_linted == 6
    assert "alembic-revision-graph" in {f.rule for f in again.findings}


def test_the_projects_url_decides_the_dialect_unless_env_py_replaces_it(tmp_path: Path) -> None:
    """alembic.ini names MySQL: MySQL builds the index online, so no PostgreSQL lock rule
    speaks; the configured dialect wins; an env.py that sets the URL at run time leaves
    the database unknown (PostgreSQL, the default)."""
    project = shutil.copytree(FIXTURES / "mysql_first", tmp_path / "mysql_first")
    mysql = lint_paths([project], Settings())
    assert mysql.files_linted == 1 and mysql.findings == []
    assert {i.dialect for i in mysql.contexts} == {"mysql"}
    configured = lint_paths([project], Settings(dialect="postgres"))
    assert "require-concurrent-index-creation" in {f.rule for f in configured.findings}
    env = project / "migrations" / "env.py"
    env.write_text(
        env.read_text().replace(
            "config = context.config\n",
            'config = context.config\nconfig.set_main_option("sqlalchemy.url", app_url())\n',
        )
    )
    replaced = lint_paths([project], Settings())
    assert {i.dialect for i in replaced.contexts} == {"postgres"}
    assert "require-concurrent-index-creation" in {f.rule for f in replaced.findings}


@pytest.mark.parametrize(
    ("url", "dialect"),
    [
        ("mysql+pymysql://app@localhost/app", "mysql"),
        ("postgresql+psycopg://localhost/app", "postgres"),
        ("sqlite:///app.db", "sqlite"),
        ("driver://user:pass@localhost/dbname", None),  # alembic init's placeholder
        ("%(DB_URL)s", None),
    ],
)
def test_the_dialect_a_url_names(url: str, dialect: str | None) -> None:
    assert dialect_of_url(url) == dialect


def test_a_downgrade_that_refills_through_models_or_run_time_sql_is_not_irreversible() -> None:
    """f1 refills through an ORM session, f2 with SQL built per batch: migralint cannot
    read which table they write, so it does not claim the data is lost; f3 only
    re-creates the column (a dict's update() writes no rows)."""
    result = lint_paths([FIXTURES / "refill"], Settings(select=("irreversible-down",)))
    assert result.files_linted == 3
    assert [(Path(f.path).name, f.line) for f in result.findings] == [("f3_drop_bio.py", 20)]


def test_a_downgrade_re_creating_what_the_upgrade_dropped_is_that_drops_one_finding() -> None:
    """l2's upgrade is told its drop deletes users.bio; its downgrade's empty re-add is the
    same loss. l3 is the marked contract step, whose drop is not reported: there the
    downgrade is the one notice that a rollback does not bring users.nickname back."""
    project = FIXTURES / "down_loss"
    result = lint_paths([project], Settings(select=("drop-column", "irreversible-down")))
    l2, l3 = project / "versions" / "l2_drop_bio.py", project / "versions" / "l3_drop_nickname.py"
    assert sorted((Path(f.path).name, f.line, f.rule) for f in result.findings) == [
        ("l2_drop_bio.py", _line(l2, "op.drop_column"), "drop-column"),
        ("l3_drop_nickname.py", _line(l3, "op.add_column"), "irreversible-down"),
    ]


def test_a_revision_marked_contract_drops_what_an_earlier_one_copied() -> None:
    """Whether the drop ships a release after the copy is not in the files: the revision
    says so with the phase marker, as a `.sql` migration does."""
    result = lint_paths([FIXTURES / "contract"], Settings(select=("destructive",)))
    assert result.files_linted == 2 and result.findings == []
    phases = {Path(i.path).name: i.phase for i in result.contexts if i.direction == "up"}
    assert phases["k2_drop_full_name.py"] == "contract"


def test_a_scratch_column_the_revision_added_is_dropped_without_an_n_minus_1_claim() -> None:
    """s2 converts jobs.schedule through old_schedule, a column it added itself: only
    the drop of the original schedule, which release N-1 reads, is reported (once: the
    coupled finding stands for drop-column's, see migralint/overlaps.py)."""
    path = FIXTURES / "scratch" / "versions" / "s2_schedule_to_json.py"
    original = _line(path, 'op.drop_column("jobs", "schedule")')
    for rules, found in [
        (("drop-column",), "drop-column"),
        (("drop-column", "expand-contract-coupled"), "expand-contract-coupled"),
    ]:
        result = lint_paths([FIXTURES / "scratch"], Settings(select=rules))
        assert _at(result, path.name) == [(original, found)]


IDEMPOTENCY = (
    "create-without-if-not-exists",
    "add-column-without-if-not-exists",
    "drop-without-if-exists",
)


def test_ops_under_an_inspector_existence_test_are_guarded(every_rerun_statement: None) -> None:
    """g1's Ops run outside a transaction, each under a test of what the database holds
    (has_table, get_indexes, get_columns through a name or a helper, an early return):
    a re-run skips them. g2's conditions say nothing about what exists."""
    result = lint_paths([FIXTURES / "existence_guards"], Settings(select=IDEMPOTENCY))
    assert _at(result, "g1_guarded.py") == []
    path = FIXTURES / "existence_guards" / "versions" / "g2_unguarded.py"
    assert _at(result, "g2_unguarded.py") == sorted(
        [
            (_line(path, 'op.create_table("tags"'), "create-without-if-not-exists"),
            (_line(path, 'op.create_index("ix_tags_id"'), "create-without-if-not-exists"),
            (_line(path, 'op.add_column("jobs"'), "add-column-without-if-not-exists"),
            (_line(path, 'op.drop_column("jobs"'), "drop-without-if-exists"),
        ]
    )


def test_an_env_py_without_lock_timeout_is_one_finding_for_the_project() -> None:
    """env.py runs every revision: its missing lock_timeout is reported once, at its
    `context.configure(connection=…)` line (not offline mode's), naming the revisions that lock an existing table
    without one (t2, not t1's new table nor t3, which sets its own)."""
    project = FIXTURES / "env_lock_timeout"
    result = lint_paths([project], Settings(select=("require-lock-timeout",)))
    env = project / "env.py"
    [finding] = result.findings
    assert (finding.path, finding.line) == (str(env), _line(env, "context.configure(connection"))
    line = _line(project / "versions" / "t2_add_email.py", "op.add_column")
    assert "1 of the 3 revisions" in finding.message
    assert f"(t2_add_email.py line {line}: ACCESS EXCLUSIVE on users)" in finding.message


@pytest.mark.parametrize(
    "setting",
    [
        "connection.execute(text(\"SET lock_timeout = '2s'\"))",
        'connectable = create_engine(url, connect_args={"options": "-c lock_timeout=2000"})',
    ],
)
def test_a_lock_timeout_env_py_sets_holds_for_every_revision(tmp_path: Path, setting: str) -> None:
    project = shutil.copytree(FIXTURES / "env_lock_timeout", tmp_path / "project")
    env = project / "env.py"
    env.write_text(
        env.read_text().replace(
            "context.configure(connection", f"{setting}\n        context.configure(connection"
        )
    )
    result = lint_paths([project], Settings(select=("require-lock-timeout",)))
    assert result.files_linted == 3 and result.findings == []


def test_revisions_without_an_env_py_keep_their_own_finding(tmp_path: Path) -> None:
    project = shutil.copytree(FIXTURES / "env_lock_timeout", tmp_path / "project")
    (project / "env.py").unlink()
    result = lint_paths([project], Settings(select=("require-lock-timeout",)))
    assert _at(result, "t2_add_email.py") == [
        (_line(project / "versions" / "t2_add_email.py", "op.add_column"), "require-lock-timeout")
    ]
    assert [f.path for f in result.findings] == [str(project / "versions" / "t2_add_email.py")]


def test_a_cached_run_sees_an_edit_of_env_py_or_of_another_revision(tmp_path: Path) -> None:
    """The env.py finding is judged over the whole version set and env.py: an edit of
    either must reach the next cached run, as it reaches a run without the cache."""
    project = shutil.copytree(FIXTURES / "env_lock_timeout", tmp_path / "project")
    settings = Settings(select=("require-lock-timeout",))
    assert len(lint_paths([project], settings).findings) == 1  # fills the cache
    t2 = project / "versions" / "t2_add_email.py"
    original = t2.read_text()
    t2.write_text(
        original.replace(
            "op.add_column", "op.execute(\"SET lock_timeout = '2s'\")\n    op.add_column", 1
        )
    )
    assert lint_paths([project], settings).findings == []
    t2.write_text(original)
    assert len(lint_paths([project], settings).findings) == 1
    env = project / "env.py"
    env.write_text(
        env.read_text().replace(
            "context.configure(connection",
            "connection.execute(text(\"SET lock_timeout = '2s'\"))\n        context.configure(connection",
        )
    )
    assert lint_paths([project], settings).findings == []


def test_parts_of_one_revision_share_what_it_created() -> None:
    """The ops after an autocommit block belong to the same revision as the CREATE TABLE
    before it: the new table gets no lock or N-1 finding; a table from an earlier
    revision does."""
    result = lint_paths([FIXTURES / "parts"], Settings())
    assert _at(result, "a1_create_then_autocommit.py") == []
    assert "adding-required-field" in {r for _, r in _at(result, "b2_existing_table.py")}
