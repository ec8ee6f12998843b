"""Rules judge Ops, the catalog and the run context only: never sqlglot, the disk, or a
statement's raw text (issue 10). An AST scan of every rule module and the checks/
helpers they share, shown to catch a planted offender, plus the rule pack loading
without sqlglot in a fresh interpreter."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Modules that read files, run code or parse SQL: a rule reaching for one re-reads what
# the front end already read (or reads what a git revision would not have).
_FORBIDDEN_MODULES = (
    "sqlglot",
    "os",
    "io",
    "pathlib",
    "shutil",
    "glob",
    "subprocess",
    "tempfile",
    "importlib",
    "socket",
    "urllib",
    "migralint.engine",
    "migralint.frontends",
    "migralint.migration",
    "migralint.sources",
    "migralint.sql.parse",
    "migralint.sql.split",
    "migralint.sql.normalise",
    "migralint.sql.commands",
    "migralint.sql.sqlglot_ops",
    "migralint.sql.alter_table",
    "migralint.sql.blocks",
    "migralint.sql.assignments",
    "migralint.sql.facts",
)
_FORBIDDEN_CALLS = frozenset({"open", "exec", "eval", "compile", "__import__"})
_FORBIDDEN_METHODS = frozenset(
    {
        "read_text",
        "read_bytes",
        "open",
        "iterdir",
        "exists",
        "is_file",
        "is_dir",
        "stat",
        "glob",
        "rglob",
        "listdir",
        "scandir",
        "walk",
    }
)
# Location.statement and DoBlock.body are a statement's raw text (for reports and the
# planner): rules read `op.loc.facts` and the Op's fields instead.
_RAW_TEXT = frozenset({"statement", "body"})


def offences(path: Path) -> list[str]:
    """What in the module at `path` reads files, parses SQL or reads raw statement text."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        where = f"{path.name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            found += [f"{where} imports {a.name}" for a in node.names if _forbidden(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            found += [f"{where} imports {n}" for n in names if _forbidden(n)][:1]
        elif isinstance(node, ast.Call):
            found += [f"{where} calls {c}" for c in _forbidden_call(node.func)]
        if isinstance(node, ast.Attribute) and node.attr in _RAW_TEXT:
            found.append(f"{where} reads .{node.attr}")
    return found


def _forbidden_call(func: ast.expr) -> list[str]:
    if isinstance(func, ast.Name) and func.id in _FORBIDDEN_CALLS:
        return [f"{func.id}()"]
    if isinstance(func, ast.Attribute) and func.attr in _FORBIDDEN_METHODS:
        return [f".{func.attr}()"]
    return []


def _forbidden(module: str) -> bool:
    return any(module == m or module.startswith(m + ".") for m in _FORBIDDEN_MODULES)


def _judging_modules() -> list[Path]:
    return sorted((ROOT / "rules").rglob("*.py")) + sorted((ROOT / "migralint/checks").glob("*.py"))


def test_no_rule_or_check_helper_reads_files_parses_sql_or_reads_raw_text() -> None:
    modules = _judging_modules()
    assert len(modules) > 100  # the whole pack was scanned, not an empty folder
    assert [o for path in modules for o in offences(path)] == []


@pytest.mark.parametrize(
    ("source", "offence"),
    [
        ("import sqlglot\n", "imports sqlglot"),
        ("from sqlglot import exp\n", "imports sqlglot"),
        ("from pathlib import Path\n", "imports pathlib"),
        ("import os.path\n", "imports os.path"),
        ("from migralint.sql.parse import parse_statement\n", "imports migralint.sql.parse"),
        ("from migralint.sql import split\n", "imports migralint.sql.split"),
        ("def f(p):\n    return open(p).read()\n", "calls open()"),
        ("def f(ctx):\n    return ctx.file.path.read_text()\n", "calls .read_text()"),
        ("def f(op):\n    return 'x' in op.loc.statement\n", "reads .statement"),
        ("def f(op):\n    return op.body\n", "reads .body"),
    ],
)
def test_the_scan_catches_a_planted_offender(tmp_path: Path, source: str, offence: str) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    planted = pack / "sneaky.py"
    planted.write_text('"""A rule that cheats."""\n\n' + source, encoding="utf-8")
    (pack / "honest.py").write_text("from migralint.sql import ops\n", encoding="utf-8")
    assert [o.split(" ", 1)[1] for o in offences(planted)] == [offence]
    assert offences(pack / "honest.py") == []


def test_the_rule_pack_loads_without_sqlglot() -> None:
    code = (
        "import sys\n"
        "from migralint.rulepack import load_rules\n"
        "assert len(load_rules().rules) > 100\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sqlglot'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
