"""The operations `migralint plan` knows: name → module.

Each module defines a frozen dataclass `Change` (its fields are the command's options:
`table: Name` becomes `--table`/`--schema`, other fields `--field-name`, required when
they have no default, with `metadata={"help": …}`), and `plan(change) -> Plan`. Its
docstring's first line is the command's help. A `type: str | None` field left out on
the command line is read from the migrations already in `--out`, and so is a
`from_type: str | None` (the column's current type). Fields named `where`, `default`,
`using`, `reverse_using`, `check` and `backfill` hold one SQL expression, `type` and
`from_type` one type: the command checks and re-renders them (`plan/expressions.py`)
before the Change is made, so a module receives nothing but that one expression.
"""

from __future__ import annotations

OPERATIONS = {
    "rename-column": "migralint.plan.rename_column",
    "set-not-null": "migralint.plan.set_not_null",
    "replace-column": "migralint.plan.replace_column",
    "change-column-type": "migralint.plan.change_column_type",
    "create-index": "migralint.plan.create_index",
    "drop-index": "migralint.plan.drop_index",
    "add-column": "migralint.plan.add_column",
    "add-foreign-key": "migralint.plan.add_foreign_key",
    "add-check": "migralint.plan.add_check",
    "add-unique": "migralint.plan.add_unique",
    "add-primary-key": "migralint.plan.add_primary_key",
    "rename-table": "migralint.plan.rename_table",
    "drop-column": "migralint.plan.drop_column",
    "drop-table": "migralint.plan.drop_table",
}
