"""Alembic revision graph that does not close: `alembic upgrade head` fails.

## What it does
Reads every revision of a version folder statically and flags a `down_revision` that
names no revision, a revision id declared twice, revisions on a cycle, more than one
head without branch labels (a `branch_labels` that is set counts, read or not), and a
`revision`, `down_revision` or `depends_on` that cannot be read (so the graph cannot
place the revision). Reported at the assignment, in the revision file.

## Why is this bad?
Alembic builds this graph before it runs anything: a missing parent or a cycle stops
every `alembic upgrade`, and two unlabelled heads make `alembic upgrade head` fail
with "Multiple head revisions are present" — usually two pull requests that each
added a revision on the same parent, merged without a merge revision.

## Example
```python file=b2_add_email.py
revision = "b2"
down_revision = "a1_never_merged"

def upgrade():
    pass
```

## Use instead
Point `down_revision` at the real parent, or run `alembic merge heads` to write a
merge revision:
```python file=b2_add_email.py
revision = "b2"
down_revision = None

def upgrade():
    pass
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.alembic.ops import RevisionGraphProblem, UnreadableRevision
from migralint.context import Context
from migralint.rule import DIALECTS, Violation, rule


@rule(
    "alembic-revision-graph",
    category="correctness",
    dialects=DIALECTS,
    on_fresh_install=True,
    on_new_tables=True,
)
def check(op: RevisionGraphProblem | UnreadableRevision, ctx: Context) -> Iterator[Violation]:
    yield ctx.finding(
        op,
        op.message,
        "Fix `down_revision` (or the duplicated `revision`), or write a merge revision with "
        "`alembic merge heads`; keep the identifiers literal strings.",
    )
