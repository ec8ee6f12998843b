"""What the terminal a run writes to allows: colour, a progress line, a closing summary.

Colour follows https://no-color.org: a non-empty `NO_COLOR` turns it off unless
`--color` asks for it. The progress line and the closing summary are for a person
watching: only when both stdout and stderr are terminals that can redraw a line, and
never beside a machine-readable format.
"""

from __future__ import annotations

import os
from typing import TextIO

from migralint.report import MACHINE_FORMATS


def wants_color(flag: bool | None, stream: TextIO) -> bool:
    """`--color`/`--no-color` when given, else colour on a terminal unless NO_COLOR is set."""
    if flag is not None:
        return flag
    return _is_terminal(stream) and not os.environ.get("NO_COLOR")


def interactive(fmt: str, stdout: TextIO, stderr: TextIO) -> bool:
    """Whether a person watches this run: text output, both streams terminals that can
    redraw a line (not TERM=dumb)."""
    return (
        fmt not in MACHINE_FORMATS
        and _is_terminal(stdout)
        and _is_terminal(stderr)
        and os.environ.get("TERM") != "dumb"
    )


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False
