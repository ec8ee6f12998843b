"""The revision graph of one version set: the order Alembic applies it in, and what
makes `alembic upgrade head` fail (duplicate ids, missing parents, cycles, several
heads that no branch label names)."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from migralint.alembic.revision import Problem, Revision, assignment_line


@dataclass(frozen=True)
class GraphProblem:
    """A graph problem, reported on one revision file."""

    revision: Revision
    problem: Problem


@dataclass(frozen=True)
class Graph:
    """Revisions from base to heads (parents before children), and the graph's problems."""

    ordered: tuple[Revision, ...]
    heads: tuple[str, ...]
    problems: tuple[GraphProblem, ...]


def build_graph(
    revisions: Sequence[Revision], elsewhere: Callable[[], frozenset[str]] = frozenset
) -> Graph:
    """Order `revisions` topologically (ties by file name); never raises. `elsewhere`
    gives the revision ids of sibling version folders (asked only when a parent is not
    in the set): a parent there is no missing parent (several `version_locations`)."""
    by_id: dict[str, Revision] = {}
    problems: list[GraphProblem] = []
    for rev in sorted(revisions, key=lambda r: str(r.path)):
        if rev.revision is None:
            continue
        if rev.revision in by_id:
            first = by_id[rev.revision].path.name
            message = f"revision id {rev.revision!r} is also declared by {first}"
            problems.append(_at(rev, "revision", message))
            continue
        by_id[rev.revision] = rev
    parents: dict[str, list[str]] = {}
    known_elsewhere = cache(elsewhere)
    for rid, rev in by_id.items():
        parents[rid] = []
        for parent in rev.down_revisions:
            if parent in by_id:
                parents[rid].append(parent)
            elif parent not in known_elsewhere():
                message = f"down_revision {parent!r} names no revision in {rev.path.parent}"
                problems.append(_at(rev, "down_revision", message))
        parents[rid] += [d for d in rev.depends_on if d in by_id and d != rid]
    ordered = _topological(by_id, parents)
    placed = {r.revision for r in ordered}
    for rid in sorted(set(by_id) - placed):
        message = f"revision {rid!r} is on a cycle of down_revision links: Alembic cannot order it"
        problems.append(_at(by_id[rid], "down_revision", message))
    heads = _heads(by_id)
    problems += _unlabelled_heads(by_id, heads)
    return Graph(tuple(ordered), heads, tuple(problems))


def _at(rev: Revision, name: str, message: str) -> GraphProblem:
    line = assignment_line(rev.module, name) if rev.module else 1
    return GraphProblem(rev, Problem(message, line))


def _topological(by_id: dict[str, Revision], parents: dict[str, list[str]]) -> list[Revision]:
    children: dict[str, list[str]] = {rid: [] for rid in by_id}
    waiting = {rid: len(set(ps)) for rid, ps in parents.items()}
    for rid, ps in parents.items():
        for parent in set(ps):
            children[parent].append(rid)
    ready = [(by_id[r].path.name, r) for r, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    ordered = []
    while ready:
        _, rid = heapq.heappop(ready)
        ordered.append(by_id[rid])
        for child in children[rid]:
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, (by_id[child].path.name, child))
    return ordered


def _heads(by_id: dict[str, Revision]) -> tuple[str, ...]:
    has_child = {p for rev in by_id.values() for p in rev.down_revisions}
    return tuple(sorted(rid for rid in by_id if rid not in has_child))


def _ancestors(rid: str, by_id: dict[str, Revision]) -> set[str]:
    seen: set[str] = set()
    stack = [rid]
    while stack:
        current = stack.pop()
        if current in seen or current not in by_id:
            continue
        seen.add(current)
        stack.extend(by_id[current].down_revisions)
    return seen


def _unlabelled_heads(by_id: dict[str, Revision], heads: tuple[str, ...]) -> list[GraphProblem]:
    """Several heads fail `alembic upgrade head`, unless every head's own branch carries
    a branch label, read or not (then they are meant to be upgraded by label or with
    `alembic upgrade heads`)."""
    if len(heads) < 2:
        return []
    lines = {h: _ancestors(h, by_id) for h in heads}
    unlabelled = []
    for head in heads:
        others = set().union(*(lines[h] for h in heads if h != head))
        if not any(by_id[r].labelled for r in lines[head] - others):
            unlabelled.append(head)
    if not unlabelled:
        return []
    listed = ", ".join(heads)
    return [
        _at(
            by_id[head],
            "revision",
            f"{len(heads)} heads ({listed}): `alembic upgrade head` fails with "
            "'Multiple head revisions'",
        )
        for head in unlabelled
    ]
