"""The revision graph: Alembic's upgrade order, merges, and what breaks `upgrade head`."""

from __future__ import annotations

from pathlib import Path

from migralint.alembic.graph import build_graph
from migralint.alembic.revision import read_revision

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "alembic"


def _revision(path: Path, revision: str, down: str | tuple[str, ...] | None, labels: str = ""):  # type: ignore[no-untyped-def]
    text = f"revision = {revision!r}\ndown_revision = {down!r}\n"
    if labels:
        text += f"branch_labels = ({labels!r},)\n"
    return read_revision(path / f"{revision}.py", text)


def test_branch_and_merge_order_parents_first(tmp_path: Path) -> None:
    graph = build_graph(
        [
            _revision(tmp_path, "d5", ("c3", "c4")),
            _revision(tmp_path, "c4", "b2"),
            _revision(tmp_path, "b2", "a1"),
            _revision(tmp_path, "c3", "b2"),
            _revision(tmp_path, "a1", None),
        ]
    )
    assert [r.revision for r in graph.ordered] == ["a1", "b2", "c3", "c4", "d5"]
    assert graph.heads == ("d5",) and graph.problems == ()


def test_two_unlabelled_heads_are_a_problem_on_each_head(tmp_path: Path) -> None:
    graph = build_graph(
        [
            _revision(tmp_path, "a1", None),
            _revision(tmp_path, "b2", "a1"),
            _revision(tmp_path, "b3", "a1"),
        ]
    )
    assert graph.heads == ("b2", "b3")
    assert [(p.revision.revision, p.problem.line) for p in graph.problems] == [("b2", 1), ("b3", 1)]
    assert "Multiple head revisions" in graph.problems[0].problem.message


def test_heads_on_labelled_branches_are_intended(tmp_path: Path) -> None:
    graph = build_graph(
        [
            _revision(tmp_path, "a1", None),
            _revision(tmp_path, "b2", "a1", "billing"),
            _revision(tmp_path, "b3", "a1", "search"),
        ]
    )
    assert graph.heads == ("b2", "b3") and graph.problems == ()


def test_the_broken_fixture_reports_each_problem_once() -> None:
    folder = FIXTURES / "broken" / "versions"
    revisions = [read_revision(p, p.read_text()) for p in sorted(folder.glob("*.py"))]
    graph = build_graph(revisions)
    messages = sorted((p.revision.path.name, p.problem.message) for p in graph.problems)
    assert ("r2_orphan.py", "down_revision 'r0_deleted' names no revision in " + str(folder)) in (
        messages
    )
    assert ("r3_second.py", "revision id 'r3' is also declared by r3_first.py") in messages
    cycle = [name for name, message in messages if "cycle" in message]
    assert cycle == ["x1_loop.py", "x2_loop.py"]
    heads = [name for name, message in messages if "heads" in message]
    assert heads == ["r2_orphan.py", "r4_other_head.py", "u1_unresolved.py"]
    assert {r.revision for r in graph.ordered} == {"r1", "r2", "r3", "r4", "u1"}


def test_heads_labelled_with_constants_are_intended() -> None:
    folder = FIXTURES / "labelled_branches" / "migrations" / "versions"
    revisions = {p.stem: read_revision(p, p.read_text()) for p in sorted(folder.glob("*.py"))}
    assert revisions["b1_expand"].branch_labels == ("expand",)  # app/cli.py, read
    contract = revisions["b2_contract"]  # a module outside the project: set, not readable
    assert contract.branch_labels == () and contract.labelled and contract.problem is None
    graph = build_graph(list(revisions.values()))
    assert graph.heads == ("b1", "b2") and graph.problems == ()
