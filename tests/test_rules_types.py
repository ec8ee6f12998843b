"""Type preferences, backward compatibility and MySQL rules, judged in context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import lint_tree

from migralint.config import Settings
from migralint.engine import lint_text
from migralint.findings import Finding


def found(sql: str, *rules: str, **settings: object) -> list[Finding]:
    return lint_text(sql, Settings(select=rules, **settings))  # type: ignore[arg-type]


def rules_in(sql: str, *rules: str, **settings: object) -> list[str]:
    return [f.rule for f in found(sql, *rules, **settings)]


def tree_rules(tmp_path: Path, files: dict[str, str], *rules: str, **settings: object) -> list[str]:
    result = lint_tree(tmp_path, files, select=rules, **settings)
    return [f"{Path(f.path).name}:{f.rule}" for f in result.findings]


# Type preferences


def test_bigint_rule_flags_keys_not_every_integer() -> None:
    sql = """
    CREATE TABLE orders (
        id serial PRIMARY KEY,
        customer_id integer,
        warehouse integer REFERENCES warehouses (id),
        quantity integer NOT NULL,
        position int
    );
    """
    findings = found(sql, "prefer-bigint-over-int")
    assert [f.message.split(" is ")[0] for f in findings] == [
        "identity column orders.id",
        "key column orders.customer_id",
        "foreign key orders.warehouse",
    ]
    assert [f.line for f in findings] == [3, 4, 5]  # each on its column's line


def test_bigint_rule_sees_a_key_declared_by_a_later_statement() -> None:
    sql = """
    CREATE TABLE tags (tag integer NOT NULL, label text);
    ALTER TABLE tags ADD CONSTRAINT tags_pkey PRIMARY KEY (tag);
    """
    assert rules_in(sql, "prefer-bigint-over-int") == ["prefer-bigint-over-int"]
    assert rules_in(sql.replace("integer", "bigint"), "prefer-bigint-over-int") == []


def test_type_rules_judge_new_columns_also_on_new_tables_but_not_dumps_or_downs(
    tmp_path: Path,
) -> None:
    sql = "CREATE TABLE t (id bigint PRIMARY KEY);\nALTER TABLE t ADD COLUMN owner_id int;\n"
    assert rules_in(sql, "prefer-bigint-over-int") == ["prefer-bigint-over-int"]
    files = {
        "1_a.up.sql": "CREATE TABLE a (id bigint PRIMARY KEY);",
        "1_a.down.sql": "CREATE TABLE b (id serial PRIMARY KEY, at timestamp);",
        "schema.sql": "-- PostgreSQL database dump\nCREATE TABLE c (id serial PRIMARY KEY);",
    }
    assert (
        tree_rules(
            tmp_path, files, "prefer-bigint-over-int", "prefer-identity", "prefer-timestamptz"
        )
        == []
    )


def test_smallint_keys_and_identity_preference() -> None:
    sql = "CREATE TABLE regions (id smallserial PRIMARY KEY, rank smallint);"
    assert rules_in(sql, "prefer-bigint-over-smallint") == ["prefer-bigint-over-smallint"]
    assert rules_in(sql, "prefer-identity") == ["prefer-identity"]
    assert rules_in(sql, "prefer-identity", pg_version=(9, 6)) == []  # no identity before 10
    identity = "CREATE TABLE r (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);"
    assert rules_in(identity, "prefer-identity", "prefer-bigint-over-int") == []


def test_text_char_json_and_timestamp_preferences() -> None:
    sql = """
    CREATE TABLE people (
        email varchar(100),
        nickname varchar,
        country char(2),
        flag "char",
        born timestamp,
        seen timestamptz,
        doc json,
        doc2 jsonb
    );
    """
    assert rules_in(
        sql, "prefer-text-field", "ban-char-field", "prefer-timestamptz", "prefer-jsonb"
    ) == ["prefer-text-field", "ban-char-field", "prefer-timestamptz", "prefer-jsonb"]
    change = "ALTER TABLE people ALTER COLUMN email TYPE varchar(200);"
    assert rules_in(change, "prefer-text-field") == ["prefer-text-field"]


def test_timestamptz_holds_on_cockroach_but_type_rules_skip_mysql() -> None:
    sql = "CREATE TABLE e (id bigint PRIMARY KEY, at timestamp, name varchar(20));"
    assert rules_in(sql, "prefer-timestamptz", dialect="cockroach") == ["prefer-timestamptz"]
    assert rules_in(sql, "prefer-timestamptz", "prefer-text-field", dialect="mysql") == []


@pytest.mark.parametrize(
    "spelling",
    [
        '"char"',
        "pg_catalog.char",
        'pg_catalog."char"',
        "char",
        "char(3)",
        "bpchar",
        '"bpchar"(3)',
        '"char"[]',
        "char(2)[]",
    ],
)
def test_ban_char_field_flags_exactly_the_blank_padded_spellings(db: Any, spelling: str) -> None:
    db.execute(f"CREATE TABLE t (c {spelling})")
    [(stored,)] = db.execute(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = 't'::regclass AND attname = 'c'"
    )
    padded = stored.startswith("character")  # '"char"' is the one-byte internal type
    flagged = rules_in(f"CREATE TABLE t (c {spelling});", "ban-char-field")
    assert flagged == (["ban-char-field"] if padded else []), stored


def test_identifier_length_counts_utf8_bytes() -> None:
    ascii63 = "a" * 63
    assert rules_in(f"CREATE INDEX {ascii63} ON t (c);", "identifier-too-long") == []
    accented = "é" * 32  # 32 characters, 64 bytes
    findings = found(f'CREATE TABLE "{accented}" (id bigint);', "identifier-too-long")
    assert [f.rule for f in findings] == ["identifier-too-long"]
    assert "64 bytes" in findings[0].message
    long_col = "ALTER TABLE t RENAME COLUMN a TO " + "b" * 64 + ";"
    assert rules_in(long_col, "identifier-too-long") == ["identifier-too-long"]


def test_a_long_name_a_statement_refers_to_is_flagged_once_and_not_where_created() -> None:
    long = "x" * 64
    dropped = found(f"ALTER TABLE t DROP COLUMN {long}, DROP COLUMN y;", "identifier-too-long")
    assert [f.message for f in dropped] == [
        f"column name {long} is 64 bytes: PostgreSQL truncates it to {'x' * 63}, so this "
        "statement acts on whatever column has that name"
    ]
    long_table = f"ALTER TABLE {long} ALTER COLUMN a SET NOT NULL, ALTER COLUMN b DROP DEFAULT;"
    assert rules_in(long_table, "identifier-too-long") == ["identifier-too-long"]
    created_here = f"CREATE INDEX {long} ON t (c);\nDROP INDEX {long};"
    assert [f.line for f in found(created_here, "identifier-too-long")] == [1]


def test_enum_ordering_is_opt_in() -> None:
    sql = "ALTER TYPE mood ADD VALUE 'meh';"
    assert "require-enum-value-ordering" not in [f.rule for f in lint_text(sql, Settings())]
    assert rules_in(sql, "require-enum-value-ordering") == ["require-enum-value-ordering"]
    placed = "ALTER TYPE mood ADD VALUE 'meh' AFTER 'ok';"
    assert rules_in(placed, "require-enum-value-ordering") == []


def test_domain_without_check_passes() -> None:
    assert rules_in("CREATE DOMAIN email AS text;", "ban-create-domain-with-constraint") == []
    with_check = "CREATE DOMAIN pos AS int CHECK (VALUE > 0);"
    assert rules_in(with_check, "ban-create-domain-with-constraint") == [
        "ban-create-domain-with-constraint"
    ]


# Backward compatibility


TYPE_RULES = ("narrowing-column-type", "changing-column-type")


def test_narrowing_replaces_changing_column_type_when_the_old_type_is_known(
    tmp_path: Path,
) -> None:
    files = {
        "V1__users.sql": "CREATE TABLE users (id bigint PRIMARY KEY, nick varchar(50), n bigint,"
        " price numeric(10, 2), bio text);",
        "V2__narrow.sql": "ALTER TABLE users ALTER COLUMN nick TYPE varchar(20);\n"
        "ALTER TABLE users ALTER COLUMN n TYPE integer;\n"
        "ALTER TABLE users ALTER COLUMN price TYPE numeric(10, 1);\n"
        "ALTER TABLE users ALTER COLUMN bio TYPE varchar(500);\n",
        "V3__widen.sql": "ALTER TABLE users ALTER COLUMN nick TYPE varchar(80);",
    }
    assert tree_rules(tmp_path, files, *TYPE_RULES) == ["V2__narrow.sql:narrowing-column-type"] * 4


def test_without_the_old_type_only_changing_column_type_reports() -> None:
    sql = "ALTER TABLE users ALTER COLUMN nick TYPE varchar(20);"
    assert rules_in(sql, *TYPE_RULES) == ["changing-column-type"]


def test_narrowing_a_column_added_in_the_same_migration_is_quiet() -> None:
    sql = """
    ALTER TABLE users ADD COLUMN code varchar(50);
    ALTER TABLE users ALTER COLUMN code TYPE varchar(10);
    """
    assert "narrowing-column-type" not in rules_in(sql, *TYPE_RULES)


def test_narrowing_on_mysql(tmp_path: Path) -> None:
    files = {
        "V1__t.sql": "CREATE TABLE t (id int PRIMARY KEY, body mediumtext, n int(11));",
        "V2__t.sql": "ALTER TABLE t MODIFY body text;\nALTER TABLE t MODIFY n bigint;\n",
    }
    assert tree_rules(tmp_path, files, "narrowing-column-type", dialect="mysql") == [
        "V2__t.sql:narrowing-column-type"
    ]


def test_new_write_restriction_is_opt_in_and_skips_new_columns() -> None:
    sql = "ALTER TABLE orders ADD CONSTRAINT amount_pos CHECK (amount > 0) NOT VALID;"
    assert "new-write-restriction" not in [f.rule for f in lint_text(sql, Settings())]
    assert rules_in(sql, "new-write-restriction") == ["new-write-restriction"]
    assert rules_in("-- migralint: phase=contract\n" + sql, "new-write-restriction") == []
    fresh = """
    ALTER TABLE orders ADD COLUMN code text;
    ALTER TABLE orders ADD CONSTRAINT code_unique UNIQUE (code);
    ALTER TABLE orders ALTER COLUMN status SET NOT NULL;
    CREATE UNIQUE INDEX CONCURRENTLY orders_ref ON orders (ref);
    CREATE INDEX CONCURRENTLY orders_day ON orders (day);
    """
    findings = found(fresh, "new-write-restriction")
    assert [f.message.split(" on ")[0] for f in findings] == ["NOT NULL", "a unique index"]


def test_enum_recreated_without_a_value(tmp_path: Path) -> None:
    files = {
        "V1__status.sql": "CREATE TYPE \"Status\" AS ENUM ('DRAFT', 'LIVE', 'GONE');",
        "V2__prisma.sql": 'ALTER TYPE "Status" RENAME TO "Status_old";\n'
        "CREATE TYPE \"Status\" AS ENUM ('DRAFT', 'LIVE');\n"
        'ALTER TABLE "Post" ALTER COLUMN "s" TYPE "Status" USING ("s"::text::"Status");\n'
        'DROP TYPE "Status_old";\n',
    }
    result = lint_tree(tmp_path, files, select=("enum-value-removal",))
    assert [f.rule for f in result.findings] == ["enum-value-removal"]
    assert "'GONE'" in result.findings[0].message


def test_enum_recreated_with_more_values_or_swapped_in_later(tmp_path: Path) -> None:
    files = {
        "V1__status.sql": "CREATE TYPE status AS ENUM ('a', 'b');",
        "V2__grow.sql": "ALTER TYPE status RENAME TO status_old;\n"
        "CREATE TYPE status AS ENUM ('a', 'b', 'c');\nDROP TYPE status_old;\n",
        "V3__swap.sql": "CREATE TYPE status_new AS ENUM ('a', 'c');\n"
        "ALTER TABLE t ALTER COLUMN s TYPE status_new USING s::text::status_new;\n"
        "DROP TYPE status;\nALTER TYPE status_new RENAME TO status;\n",
    }
    assert tree_rules(tmp_path, files, "enum-value-removal") == ["V3__swap.sql:enum-value-removal"]


def test_identity_changes() -> None:
    rules = ("alter-identity",)
    assert rules_in("ALTER TABLE t ALTER COLUMN id DROP IDENTITY;", *rules) == ["alter-identity"]
    assert rules_in("ALTER TABLE t ALTER COLUMN id SET GENERATED ALWAYS;", *rules) == [
        "alter-identity"
    ]
    assert rules_in("ALTER TABLE t ALTER COLUMN id SET GENERATED BY DEFAULT;", *rules) == []
    add = "ALTER TABLE t ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY"
    assert rules_in(add + ";", *rules) == ["alter-identity"]
    assert rules_in(add + " (START WITH 1000);", *rules) == []
    new_table = "CREATE TABLE t (id bigint NOT NULL);\n" + add + ";"
    assert rules_in(new_table, *rules) == []


# MySQL


def test_mysql_algorithm_and_lock_clauses() -> None:
    rules = ("mysql-algorithm-copy", "mysql-lock-clause")
    both = "ALTER TABLE t ADD COLUMN c int, ALGORITHM=COPY, LOCK=SHARED;"
    assert rules_in(both, *rules, dialect="mysql") == ["mysql-algorithm-copy"]
    exclusive = "ALTER TABLE t ADD INDEX i (c), LOCK=EXCLUSIVE;"
    assert rules_in(exclusive, *rules, dialect="mysql") == ["mysql-lock-clause"]
    online = "ALTER TABLE t ADD INDEX i (c), ALGORITHM=INPLACE, LOCK=NONE;"
    assert rules_in(online, *rules, dialect="mysql") == []
    assert rules_in(both, *rules) == []  # MySQL only
    new_table = "CREATE TABLE t (id int);\n" + both
    assert rules_in(new_table, *rules, dialect="mysql") == []


def test_mysql_enum_changes(tmp_path: Path) -> None:
    files = {
        "V1__t.sql": "CREATE TABLE t (id int PRIMARY KEY, s ENUM('a', 'b', 'c'));",
        "V2__append.sql": "ALTER TABLE t MODIFY s ENUM('a', 'b', 'c', 'd');",
        "V3__insert.sql": "ALTER TABLE t MODIFY COLUMN s ENUM('a', 'x', 'b', 'c', 'd');",
        "V4__remove.sql": "ALTER TABLE t MODIFY s ENUM('a', 'x', 'b', 'c') NOT NULL;",
    }
    result = lint_tree(tmp_path, files, select=("mysql-enum-reorder",), dialect="mysql")
    assert [(Path(f.path).name, f.message.split(":")[0]) for f in result.findings] == [
        ("V3__insert.sql", "t.s's values are reordered or inserted mid-list"),
        ("V4__remove.sql", "t.s loses 'd'"),
    ]


def test_bigint_rule_skips_join_table_positions_and_fks_to_int_keys(tmp_path: Path) -> None:
    files = {
        "V1__a.sql": "CREATE TABLE big (id bigint PRIMARY KEY);\n"
        "CREATE TABLE small (id integer PRIMARY KEY);",
        "V2__b.sql": "CREATE TABLE link (\n"
        "    small_ref integer REFERENCES small (id),\n"
        "    big_ref integer REFERENCES big (id),\n"
        "    sort_order integer,\n"
        "    PRIMARY KEY (small_ref, sort_order)\n"
        ");",
    }
    result = lint_tree(tmp_path, files, select=("prefer-bigint-over-int",))
    assert [f.message.split(" is ")[0] for f in result.findings] == [
        "primary key small.id",
        "foreign key link.big_ref",  # an int pointing at a bigint key overflows first
    ]


def test_bytea_to_text_without_using_is_reported_and_with_using_is_not(tmp_path: Path) -> None:
    files = {
        "V1__t.sql": "CREATE TABLE m (id int, a bytea, b bytea);",
        "V2__a.sql": "ALTER TABLE m ALTER COLUMN a TYPE varchar;",
        "V3__b.sql": "ALTER TABLE m ALTER COLUMN b TYPE text USING convert_from(b, 'UTF8');",
    }
    result = lint_tree(tmp_path, files, select=("narrowing-column-type",))
    assert [(Path(f.path).name, "hex escape text" in f.message) for f in result.findings] == [
        ("V2__a.sql", True)
    ]
