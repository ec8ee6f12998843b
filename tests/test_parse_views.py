"""CREATE VIEW is read from its keywords: the same Op sqlglot's full parse of the query
gives, at none of its cost (views are much of a schema dump's bulk)."""

from __future__ import annotations

import pytest
from helpers import REPO

from migralint.sql import parse
from migralint.sql.normalise import blank_comments
from migralint.sql.ops import CreateObject
from migralint.sql.split import split_statements

VIEWS = REPO / "fixtures" / "views" / "views.sql"
STATEMENTS = split_statements(VIEWS.read_text(), "postgres").statements


@pytest.mark.parametrize("stmt", STATEMENTS, ids=lambda s: f"line{s.line}")
def test_a_view_gets_the_op_sqlglot_would_give(stmt, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    path = str(VIEWS)
    text = blank_comments(stmt.text, "postgres")
    by_sqlglot = parse._sqlglot_ops(text, parse.location(stmt, path), "postgres", "CREATE")
    import sqlglot

    parsed: list[str] = []
    parse_one = sqlglot.parse_one

    def counted(sql: str, **kwargs: object) -> object:
        parsed.append(sql)
        return parse_one(sql, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sqlglot, "parse_one", counted)
    [op] = parse.parse_statement(stmt, path, "postgres")
    assert [op] == by_sqlglot
    assert parsed == []
    assert isinstance(op, CreateObject) and op.kind in ("VIEW", "MATERIALIZED VIEW")


def test_every_spelling_is_in_the_fixture() -> None:
    kinds = {op.kind for s in STATEMENTS for op in parse.parse_statement(s, "v.sql")}
    assert kinds == {"VIEW", "MATERIALIZED VIEW"} and len(STATEMENTS) == 10


def test_a_view_the_keywords_cannot_name_still_goes_to_sqlglot() -> None:
    [stmt] = split_statements("CREATE VIEW (a) AS SELECT 1", "postgres").statements
    [op] = parse.parse_statement(stmt, "v.sql")
    assert type(op).__name__ == "Unparsed"  # sqlglot's syntax error, as before
