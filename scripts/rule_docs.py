"""Write docs/rules/: a page per rule from its docstring, and the index.

    .venv/bin/python scripts/rule_docs.py [--check] [--out FOLDER]

Rewrites the pages that differ and deletes the pages of rules that no longer exist;
only files that start with the generated-page marker are ever rewritten or deleted, so
a hand-written file in the folder is an error, never lost. `--check` writes nothing and
exits 1 naming every missing, stale or left-over page (tests/test_rule_docs.py runs the
same comparison).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from migralint.report.rulepages import documented_rules, is_generated, pages

DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules"


def differences(folder: Path, wanted: dict[str, str]) -> list[str]:
    """`missing x.md`, `stale x.md`, `left over x.md` for each page not as generated."""
    found = {p.name for p in folder.glob("*.md")} if folder.is_dir() else set()
    out = [f"missing {name}" for name in sorted(set(wanted) - found)]
    out += [
        f"stale {name}"
        for name in sorted(set(wanted) & found)
        if (folder / name).read_text(encoding="utf-8") != wanted[name]
    ]
    return out + [f"left over {name}" for name in sorted(found - set(wanted))]


def write(folder: Path, wanted: dict[str, str]) -> list[str]:
    """Bring `folder` to `wanted`; the names of the files changed. Raises SystemExit for a
    file the script did not write that it would have to change."""
    changes = differences(folder, wanted)
    foreign = [c.split(" ")[-1] for c in changes if not c.startswith("missing ")]
    foreign = [name for name in foreign if not is_generated(folder / name)]
    if foreign:
        raise SystemExit(f"rule_docs: not generated here, left alone: {', '.join(foreign)}")
    folder.mkdir(parents=True, exist_ok=True)
    for change in changes:
        name = change.split(" ")[-1]
        if change.startswith("left over "):
            (folder / name).unlink()
        else:
            _replace(folder / name, wanted[name])
    return changes


def _replace(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, then move it into place."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 if not in sync")
    parser.add_argument("--out", type=Path, default=DOCS, help="folder (default: docs/rules)")
    args = parser.parse_args(argv)
    wanted = pages(documented_rules())
    changes = differences(args.out, wanted) if args.check else write(args.out, wanted)
    for change in changes:
        print(change)
    return 1 if args.check and changes else 0


if __name__ == "__main__":
    sys.exit(main())
