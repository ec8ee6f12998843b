"""The on-disk cache: keys, atomic writes, no overwrites, damage ignored, no code run."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from migralint import cache
from migralint.cache import Cache, cache_dir, code_version, key
from migralint.context import FileInfo
from migralint.findings import Finding, Severity

FINDING = Finding("drop-column", Severity.ERROR, "m", "h", "V1__a.sql", 3, 1, 3, 20)
VALUE = ([FINDING], (FileInfo(path="V1__a.sql", tool="flyway"),), None, Path("V1__a.sql"))


def entry_path(root: Path, entry: str) -> Path:
    return root / cache.FORMAT / entry[:2] / entry[2:]


def test_a_stored_value_comes_back_equal(tmp_path: Path) -> None:
    store = Cache(tmp_path)
    entry = key("file bytes", b"\x00\xff", "postgres")
    assert store.get(entry) is None
    store.put(entry, VALUE)
    assert Cache(tmp_path).get(entry) == VALUE


def test_no_cache_finds_nothing_and_writes_nothing(tmp_path: Path) -> None:
    store = Cache(None)
    store.put(key("x"), VALUE)
    assert store.get(key("x")) is None
    assert list(tmp_path.iterdir()) == []


def test_keys_separate_their_parts() -> None:
    assert key("ab", "c") != key("a", "bc")
    assert key("a", "") != key("a")
    assert key("a", b"b") == key("a", "b")


def test_an_existing_entry_is_never_overwritten(tmp_path: Path) -> None:
    store = Cache(tmp_path)
    entry = key("one")
    store.put(entry, VALUE)
    path = entry_path(tmp_path, entry)
    before = path.read_bytes(), path.stat().st_mtime_ns
    store.put(entry, ["something else"])
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".tmp-")]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # a write cut short by a crash
        lambda data: b"",
        lambda data: b"not a pickle at all",
        lambda data: data[:-1] + bytes([data[-1] ^ 0xFF]),
    ],
)
def test_a_damaged_entry_is_a_miss(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    store = Cache(tmp_path)
    entry = key("damaged")
    store.put(entry, VALUE)
    path = entry_path(tmp_path, entry)
    path.write_bytes(damage(path.read_bytes()))
    assert store.get(entry) is None


def test_an_entry_copied_under_another_key_is_a_miss(tmp_path: Path) -> None:
    store = Cache(tmp_path)
    first, second = key("first"), key("second")
    store.put(first, VALUE)
    target = entry_path(tmp_path, second)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(entry_path(tmp_path, first).read_bytes())
    assert store.get(second) is None


class _Planted:
    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, (f"touch {self.marker}",))

    def __init__(self, marker: Path) -> None:
        self.marker = marker


@pytest.mark.parametrize("planted", ["os.system", "a migralint function"])
def test_a_planted_entry_runs_no_code(tmp_path: Path, planted: str) -> None:
    marker = tmp_path / "ran"
    entry = key("planted")
    if planted == "os.system":
        payload = pickle.dumps((entry, _Planted(marker)))
    else:  # a callable of ours that is not a value type: refused too
        from migralint.sources import files

        payload = pickle.dumps((entry, files.read_file))
    path = entry_path(tmp_path / "cache", entry)
    path.parent.mkdir(parents=True)
    path.write_bytes(payload)
    assert Cache(tmp_path / "cache").get(entry) is None
    assert not marker.exists()


def test_an_unwritable_cache_is_ignored(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the folder should be")
    store = Cache(blocker)
    store.put(key("x"), VALUE)  # no exception
    assert store.get(key("x")) is None
    assert blocker.read_text() == "a file where the folder should be"


def test_the_folder_is_marked_as_a_cache(tmp_path: Path) -> None:
    Cache(tmp_path / "c").put(key("x"), VALUE)
    assert (tmp_path / "c" / ".gitignore").read_text() == "*\n"
    assert (tmp_path / "c" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f59")


def test_cache_dir_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MIGRALINT_CACHE_DIR", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("MIGRALINT_CACHE_DIR")
    assert cache_dir() == tmp_path / "xdg" / "migralint"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "migralint"


def test_code_version_follows_the_rule_packs(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "mine.py").write_text("X = 1\n")
    before = code_version((pack,))
    assert code_version((pack,)) == before
    (pack / "mine.py").write_text("X = 2\n")
    code_version.cache_clear()
    assert code_version((pack,)) != before
    assert code_version() != code_version((pack,))


def test_a_bundle_gives_back_a_value_only_under_the_key_it_was_stored_with(
    tmp_path: Path,
) -> None:
    store = Cache(tmp_path)
    bundle = store.bundle(key("set"))
    bundle.add("V1__a.sql", key("bytes 1"), VALUE)
    bundle.save()
    store.forget_bundles()
    again = Cache(tmp_path).bundle(key("set"))
    assert again.get("V1__a.sql", key("bytes 1")) == VALUE
    assert again.get("V1__a.sql", key("bytes 2")) is None  # the file changed since
    assert again.get("V2__b.sql", key("bytes 1")) is None
    again.add("V1__a.sql", key("bytes 2"), ["edited"])  # replaces the old value
    again.save()
    last = Cache(tmp_path).bundle(key("set"))
    assert last.get("V1__a.sql", key("bytes 2")) == ["edited"]
    assert last.get("V1__a.sql", key("bytes 1")) is None
