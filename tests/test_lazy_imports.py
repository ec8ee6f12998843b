"""The commands that only describe migralint never load sqlglot (start-up time of the
pre-commit path and of `migralint explain`): each runs in a fresh interpreter, and
the modules it ended with are read from `sys.modules`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_PROBE = """
import json, sys
from migralint.cli import main
sys.argv = ["migralint", *sys.argv[1:]]
try:
    main()
except SystemExit as done:
    code = done.code or 0
else:
    code = 0
loaded = any(m.split(".")[0] == "sqlglot" for m in sys.modules)
print(json.dumps({"code": code, "sqlglot": loaded}), file=sys.stderr)
"""


def _run(*args: str, cwd: Path = ROOT) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, cwd=cwd
    )
    return json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "args",
    [("--version",), ("rules",), ("rules", "--format", "json"), ("explain", "drop-table")],
    ids=" ".join,
)
def test_describing_commands_do_not_import_sqlglot(args: tuple[str, ...]) -> None:
    assert _run(*args) == {"code": 0, "sqlglot": False}


def test_the_probe_sees_sqlglot_when_a_file_needs_it(tmp_path: Path) -> None:
    sql = "ALTER TABLE t DROP COLUMN c, ADD CONSTRAINT k CHECK (d > 0);\n"  # CHECK: sqlglot
    (tmp_path / "V1__x.sql").write_text(sql, encoding="utf-8")
    assert _run("check", str(tmp_path), cwd=tmp_path) == {"code": 1, "sqlglot": True}


def test_plain_ddl_is_checked_without_sqlglot(tmp_path: Path) -> None:
    """The fast readers read it all, and the catalog needs no tree of it."""
    sql = (
        "CREATE TABLE t (id bigint PRIMARY KEY, c text NOT NULL DEFAULT '');\n"
        "CREATE INDEX t_c ON t (c);\nALTER TABLE users ADD COLUMN n int NOT NULL;\n"
    )
    (tmp_path / "V1__x.sql").write_text(sql, encoding="utf-8")
    assert _run("check", str(tmp_path), cwd=tmp_path) == {"code": 1, "sqlglot": False}
