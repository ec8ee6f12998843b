"""A DO block that builds SQL at run time (EXECUTE) runs statements nobody checked.

## What it does
Reports, once per DO block, the `EXECUTE` statements whose SQL changes the schema or
data (`EXECUTE format('DROP INDEX %I', …)`, `EXECUTE 'ALTER TABLE ' || …`) or is held
in a variable, so cannot be read. `EXECUTE 'SELECT …' INTO …` is a query and is not
reported.

## Why is this bad?
The statement only exists when the block runs: migralint (like any linter) cannot see
which table it drops, which lock it takes or whether it can be re-run. A loop of
dynamic `DROP INDEX` can drop every index of a table, under ACCESS EXCLUSIVE, and no
rule reports it. The finding says what was left unchecked, so a reviewer reads it.

## Example
```sql
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT indexname FROM pg_indexes WHERE tablename = 'orders' LOOP
    EXECUTE format('DROP INDEX %I', r.indexname);
  END LOOP;
END $$;
```

## Use instead
Write the statements out, so they are checked (and reviewed) one by one:
```sql
DROP INDEX CONCURRENTLY IF EXISTS orders_created_at_idx;
DROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.dynamic_sql import unread
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import DoBlock


@rule("dynamic-sql-not-checked", category="correctness", severity="info")
def check(op: DoBlock, ctx: Context) -> Iterator[Violation]:
    dynamic = unread(op)
    if not dynamic:
        return
    what = sorted({e.keyword or "SQL held in a variable" for e in dynamic})
    lines = ", ".join(str(e.line) for e in dynamic)
    yield ctx.finding(
        op,
        f"this DO block builds SQL at run time (EXECUTE on line{'s' if len(dynamic) > 1 else ''} "
        f"{lines}: {', '.join(what)}): those statements were not checked",
        "Write the statements out where you can, so every rule checks them; otherwise review "
        "what the EXECUTE runs by hand (its table, its lock, whether it can run twice).",
        line=dynamic[0].line,
        column=dynamic[0].column,
    )
