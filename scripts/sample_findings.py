"""Print a random sample of findings with their statement, for a hand review of noise.

python scripts/sample_findings.py PATH [-n 30] [--seed 1]
"""

from __future__ import annotations

import argparse
import random

from migralint.engine import lint_paths, settings_for


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("-n", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    result = lint_paths([args.path], settings_for([args.path]))
    sample = random.Random(args.seed).sample(result.findings, min(args.n, len(result.findings)))
    for number, f in enumerate(sample, 1):
        with open(f.path, encoding="utf-8", errors="replace") as source:
            lines = source.read().splitlines()
        excerpt = "\n".join(
            f"    {line}" for line in lines[f.line - 1 : min(f.end_line, f.line + 5)]
        )
        print(f"[{number}] {f.path}:{f.line} {f.rule} ({f.severity})\n  {f.message}\n{excerpt}\n")


if __name__ == "__main__":
    main()
