"""Rendering (opt-in, `--alembic-render`): a revision's `upgrade()` / `downgrade()` run
through Alembic's own offline mode, and the SQL it writes read by the SQL front end.

This EXECUTES the revision file's code: its module body when it is loaded, then the
function (env.py is not run: the MigrationContext is configured here, for the linted
dialect, with `as_sql=True`). As `alembic` does, the `prepend_sys_path` folders of the
project's `alembic.ini` (relative to its folder) come first on `sys.path` meanwhile,
so a revision can import the application; the modules it imports from the project
are forgotten afterwards, so two projects' `app` packages (or helpers) do not mix.

Each statement Alembic writes is placed at the innermost line of the revision file on
the call stack as it is written: the `op.` call (for a `batch_alter_table` block,
which emits on leaving it, the `with` line). What
`autocommit_block` itself writes (COMMIT, later BEGIN) is not linted: it marks the
statements between as run outside the transaction. The code's own output is captured,
so it cannot mix with the report. A revision that fails to load or to render is a
`RenderFailed` at the line of the file that raised.
"""

from __future__ import annotations

import contextlib
import io
import os
import site
import sys
import sysconfig
import traceback
from pathlib import Path
from types import FrameType, ModuleType

from migralint.alembic.execute_sql import sql_ops
from migralint.alembic.ini import find_ini
from migralint.alembic.ops import RenderFailed
from migralint.alembic.walker import Emitted
from migralint.sql import ops

# SQLAlchemy's dialect names for migralint's (CockroachDB speaks PostgreSQL's SQL).
_DIALECTS = {"postgres": "postgresql", "cockroach": "postgresql"}
_MESSAGE = 300  # characters of an exception's message kept in the finding


class Renderer:
    """One revision file, loaded (its module body runs) to render its functions."""

    def __init__(self, path: Path, text: str, dialect: str, version_folder: Path) -> None:
        self.path = os.fspath(path)
        self._sys_path = _prepended_paths(version_folder)
        self._code_path = os.path.abspath(path)  # as the loaded module's code names it
        self.dialect = dialect
        self._lines = text.splitlines()
        self._module: ModuleType | None = None
        self._failure: RenderFailed | None = None
        self._loaded = False

    def function(self, name: str, line: int) -> list[Emitted] | RenderFailed | None:
        """The Ops of the module's `name()` as Alembic renders them ([] when it is not
        defined); a RenderFailed when loading (reported once) or the call raised; None
        after a failed load was reported."""
        if not self._loaded:
            self._loaded = True
            self._module, self._failure = self._load()
        if self._module is None:
            failure, self._failure = self._failure, None
            return failure
        function = getattr(self._module, name, None)
        if not callable(function):
            return []
        capture = _Capture(self._code_path)
        try:
            with _quiet(), _isolated(self._sys_path):
                _run(function, self.dialect, capture)
        except (Exception, SystemExit) as error:
            return self._failed(f"{name}() failed", error, line)
        return [
            Emitted(op, autocommit)
            for at, autocommit, sql in capture.statements
            for op in sql_ops(sql, self._location(at or line), self.dialect)
        ]

    def _load(self) -> tuple[ModuleType | None, RenderFailed | None]:
        from alembic.util.pyfiles import load_module_py

        try:
            with _quiet(), _isolated(self._sys_path):
                return load_module_py(f"_migralint_render_{abs(hash(self.path))}", self.path), None
        except (Exception, SystemExit) as error:
            return None, self._failed("loading the revision failed", error, 1)

    def _failed(self, what: str, error: BaseException, line: int) -> RenderFailed:
        tb = traceback.extract_tb(error.__traceback__)
        frames = [f for f in tb if f.filename == self._code_path]
        at = (frames[-1].lineno or line) if frames else line
        detail = str(error).strip().splitlines()
        reason = f"{type(error).__name__}: {detail[0]}" if detail else type(error).__name__
        return RenderFailed(
            loc=self._location(at), message=f"{what}: {reason[:_MESSAGE]}; linted statically"
        )

    def _location(self, line: int) -> ops.Location:
        text = self._lines[line - 1] if 0 < line <= len(self._lines) else ""
        column = len(text) - len(text.lstrip()) + 1
        return ops.Location(self.path, line, column, line, max(column, len(text)))


def _run(function: object, dialect: str, capture: _Capture) -> None:
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(
        dialect_name=_DIALECTS.get(dialect, dialect),
        opts={"as_sql": True, "output_buffer": capture},
    )
    with Operations.context(context):
        function()  # type: ignore[operator]


def _prepended_paths(version_folder: Path) -> list[str]:
    """The `prepend_sys_path` folders of the project's alembic.ini, as Alembic reads them."""
    from alembic.config import Config

    ini = find_ini(version_folder)
    if ini is None:
        return []
    try:
        with _quiet():
            paths = Config(os.fspath(ini)).get_prepend_sys_paths_list() or []
    except Exception:  # an ini Alembic cannot read: the revision then fails to import
        return []
    return [os.path.join(ini.parent, p) for p in paths if p]


@contextlib.contextmanager
def _isolated(paths: list[str]) -> contextlib.Generator[None]:
    """The revision's code runs with `paths` first on `sys.path`; afterwards `sys.path`
    and `sys.modules` are as before, but for the modules it imported from the Python
    installation (SQLAlchemy's dialects, say): the project's own (its `app`, its
    helpers) are forgotten, so another project's revisions import theirs."""
    saved_path, saved_modules = sys.path[:], dict(sys.modules)
    sys.path[:0] = paths
    try:
        yield
    finally:
        sys.path[:] = saved_path
        for name in [n for n in sys.modules if n not in saved_modules]:
            if not _installed(sys.modules[name]):
                del sys.modules[name]
        sys.modules.update(saved_modules)


# The standard library's and site-packages' folders (not the prefixes: an application
# checked out in /usr/src/app is no part of a Python installed in /usr).
_INSTALLATION = tuple(
    {
        os.path.join(os.path.realpath(p), "")
        for p in [
            *(sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")),
            *site.getsitepackages(),
            site.getusersitepackages(),
        ]
    }
)


def _installed(module: ModuleType) -> bool:
    """True for a built-in module or one whose files lie in the Python installation."""
    places = [getattr(module, "__file__", None), *getattr(module, "__path__", ())]
    found = [os.path.realpath(p) for p in places if isinstance(p, str)]
    return all(p.startswith(_INSTALLATION) for p in found)


@contextlib.contextmanager
def _quiet() -> contextlib.Generator[None]:
    """The revision's prints go nowhere: stdout carries the report."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield


class _Capture(io.StringIO):
    """Alembic's output buffer: each statement with the revision's line that wrote it
    and whether it runs inside an autocommit block."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.statements: list[tuple[int | None, bool, str]] = []
        self._autocommit = False

    def write(self, text: str) -> int:
        line, marker = _caller(sys._getframe(1), self.path)
        if marker:
            self._autocommit = not self._autocommit
        elif text.strip():
            self.statements.append((line, self._autocommit, text))
        return len(text)


def _caller(frame: FrameType | None, path: str) -> tuple[int | None, bool]:
    """(the innermost line of `path` on the stack, whether autocommit_block writes)."""
    line, marker = None, False
    while frame is not None:
        if line is None and frame.f_code.co_filename == path:
            line = frame.f_lineno
        marker = marker or frame.f_code.co_name == "autocommit_block"
        frame = frame.f_back
    return line, marker
