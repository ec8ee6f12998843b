"""A content-addressed store on disk, so an unchanged file is not parsed again (like ruff's).

An entry is found by a key that hashes everything its value depends on (see `key`):
callers put the file's bytes, its dialect, the settings, `code_version()` and, for
results that read the catalog, the key of the file before it into the key, so an entry
is never stale, only unused (a `Bundle`, many values in one entry, is the exception:
its entry is replaced as it grows, and each value in it is checked against its own
key). It lives in the user's cache folder (`cache_dir`), never in
the linted tree. Writes are atomic (a temporary file renamed into place) and never
replace an existing entry; an entry that cannot be read, is truncated or names a class
that is not one of migralint's value types is ignored, and a cache that cannot be
written (read-only, full disk) costs only the speed-up.

Values are pickled, and reading one never calls anything but the constructors of
migralint's own dataclasses and enums (`_ValuesOnly`): a planted entry cannot run code.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import io
import os
import pickle
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from migralint import __version__

CACHE_DIR_ENV = "MIGRALINT_CACHE_DIR"
FORMAT = "v3"  # bump when the layout of an entry changes
SETTLED_SECONDS = 2.0  # past any file system's timestamp granularity
_PACKAGE = Path(__file__).resolve().parent
_SAFE = frozenset(
    [("builtins", n) for n in ("frozenset", "set", "tuple", "list", "dict", "slice")]
    + [("pathlib", n) for n in ("PosixPath", "PurePosixPath", "WindowsPath", "PureWindowsPath")]
)
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# migralint's cache; see cachedir.org\n"


def cache_dir() -> Path:
    """`MIGRALINT_CACHE_DIR`, else `$XDG_CACHE_HOME/migralint`, else `~/.cache/migralint`."""
    if configured := os.environ.get(CACHE_DIR_ENV):
        return Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "migralint"


def key(*parts: bytes | str) -> str:
    """A hex digest of the parts, each length-prefixed so that no two lists collide."""
    digest = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


@functools.cache
def code_version(packs: Sequence[Path] = ()) -> str:
    """The key of the code that produces results: migralint's own modules, the built-in
    rule pack, the configured `packs`, and the Python version; any edit changes it. A
    module counts by its path and stat (an edit, checkout or install changes it), not
    its bytes, which every start would read; by its bytes when it changed within
    SETTLED_SECONDS (a same-size rewrite within one clock tick keeps the stat)."""
    from migralint.rulepack import builtin_pack

    folders = (_PACKAGE, builtin_pack(), *packs)
    parts: list[bytes | str] = [__version__, sys.version, FORMAT]
    for folder in folders:
        for path in _sources(os.fspath(folder)):
            st = file_stat(path)
            parts += [path, repr(st) if settled([st]) else Path(path).read_bytes()]
    return key(*parts)


def _sources(folder: str) -> list[str]:
    """The `.py` files under `folder`, sorted, not those of `__pycache__`."""
    found: list[str] = []
    for here, folders, files in os.walk(folder):
        folders[:] = [f for f in folders if f != "__pycache__"]
        found += (os.path.join(here, name) for name in files if name.endswith(".py"))
    return sorted(found)


Stat = tuple[int, int, int, int, int] | None  # size, mtime, ctime, inode, device; None: absent


def file_stat(path: str | Path) -> Stat:
    """(size, mtime, ctime, inode, device) of `path`, following symlinks: a write, a
    replacement or a chmod changes one of them; None when it cannot be stat'ed."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev


def settled(stats: Iterable[Stat], seconds: float = SETTLED_SECONDS) -> bool:
    """Nothing changed within `seconds`: a later change must show in its stat (a file
    rewritten within one tick of the clock, with the same size, would not)."""
    newest = max((max(s[1], s[2]) for s in stats if s), default=0)
    return newest < time.time_ns() - int(seconds * 1e9)


class Cache:
    """Entries under `root`; `Cache(None)` (`--no-cache`) finds nothing and keeps nothing."""

    def __init__(self, root: Path | None) -> None:
        self.root = root / FORMAT if root is not None else None
        self._ready = False
        self._bundles: dict[str, Bundle] = {}

    @property
    def enabled(self) -> bool:
        return self.root is not None

    def get(self, entry: str) -> object | None:
        """The value stored under `entry`, or None: absent, unreadable or corrupt."""
        if self.root is None:
            return None
        try:
            data = (self.root / entry[:2] / entry[2:]).read_bytes()
            stored, value = unpacked(data)  # type: ignore[misc]
        except Exception:  # any damage to an entry is a miss, never an error
            return None
        return value if stored == entry else None

    def bundle(self, entry: str) -> Bundle:
        """The bundle stored under `entry`, read once until `forget_bundles`."""
        if entry not in self._bundles:
            self._bundles[entry] = Bundle(self, entry)
        return self._bundles[entry]

    def forget_bundles(self) -> None:
        """Read bundles from disk again when next asked for: a run starts (the worker
        processes of an earlier one may have written them)."""
        self._bundles.clear()

    def put(self, entry: str, value: object, replace: bool = False) -> None:
        """Store `value` under `entry` unless it is already there (`replace`: whether or
        not it is); failures are ignored."""
        if self.root is None:
            return
        target = self.root / entry[:2] / entry[2:]
        if not replace and target.exists():
            return
        try:
            self._prepare()
            target.parent.mkdir(parents=True, exist_ok=True)
            import tempfile  # only a run that writes pays for its import

            data = packed((entry, value))
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                os.replace(temporary, target)  # another run may have written the same value
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            return

    def _prepare(self) -> None:
        """Mark the folder as a cache for backup tools and git, once per run."""
        if self._ready or self.root is None:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        for name, text in ((".gitignore", "*\n"), ("CACHEDIR.TAG", _TAG)):
            marker = self.root.parent / name
            if not marker.exists():
                marker.write_text(text)
        self._ready = True


class Bundle:
    """Many values in one entry, each under a name with the key of what it holds and
    kept pickled until asked for: one file to write for a migration set's Migrations,
    instead of one per file (creating a file costs more than pickling what it holds)."""

    def __init__(self, cache: Cache, entry: str) -> None:
        self.cache = cache
        self.entry = entry
        self._items: dict[str, tuple[str, bytes]] | None = None  # None: not read yet
        self._changed = False

    def get(self, name: str, value_key: str) -> object | None:
        """The value under `name` if it was stored with `value_key`, else None."""
        found = self._loaded().get(name)
        if not (isinstance(found, tuple) and found[:1] == (value_key,) and len(found) == 2):
            return None
        try:
            return unpacked(found[1])
        except Exception:  # a damaged value is a miss, never an error
            return None

    def add(self, name: str, value_key: str, value: object) -> None:
        """Keep `value` under `name` (replacing what was there) until `save`."""
        if self.cache.enabled:
            self._loaded()[name] = (value_key, packed(value))
            self._changed = True

    def save(self) -> None:
        """Write the bundle if anything was added since it was read."""
        if self._changed:
            self.cache.put(self.entry, self._loaded(), replace=True)
            self._changed = False

    def _loaded(self) -> dict[str, tuple[str, bytes]]:
        if self._items is None:
            found = self.cache.get(self.entry)
            self._items = found if isinstance(found, dict) else {}
        return self._items


_T = TypeVar("_T", bound=type)


def unpickled_by_names(cls: _T) -> _T:
    """A frozen slots dataclass whose objects unpickle by its field names found once,
    not looked up again per object as `dataclasses` does (the same state, the same
    pickles): a re-run's answer holds thousands of findings and file contexts."""
    names = tuple(f.name for f in dataclasses.fields(cls))

    def __setstate__(self: object, state: Sequence[object]) -> None:
        own = names if type(self) is cls else [f.name for f in dataclasses.fields(self)]  # type: ignore[arg-type]
        for name, value in zip(own, state, strict=True):
            object.__setattr__(self, name, value)

    cls.__setstate__ = __setstate__  # type: ignore[attr-defined]
    return cls


def packed(value: object) -> bytes:
    """`value` pickled, to keep inside an entry and unpickle (`unpacked`) only if asked for."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def unpacked(data: bytes) -> object:
    """What `packed` made, built as an entry is (migralint's value types only)."""
    return _ValuesOnly(io.BytesIO(data)).load()


class _ValuesOnly(pickle.Unpickler):
    """Unpickles migralint's dataclasses and enums, containers and paths, nothing else."""

    def find_class(self, module: str, name: str) -> type:
        if (module, name) in _SAFE:
            return super().find_class(module, name)  # type: ignore[no-any-return]
        if module.startswith("migralint.") and "." not in name:
            found = super().find_class(module, name)
            if isinstance(found, type) and (
                dataclasses.is_dataclass(found) or issubclass(found, enum.Enum)
            ):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not a migralint value")
