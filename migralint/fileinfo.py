"""A migration's run context: how its tool treats the file (a value of its own, light to
import: a run answered from the cache unpickles it without the rule machinery)."""

from __future__ import annotations

from dataclasses import dataclass

from migralint.cache import unpickled_by_names


@unpickled_by_names
@dataclass(frozen=True, slots=True)
class FileInfo:
    """How the migration tool treats the file being linted."""

    path: str
    tool: str = "plain"
    direction: str = "up"  # up | down | repeatable
    dialect: str = "postgres"
    transaction: str | None = None  # per-file | per-run | implicit | none | None (unknown)
    fresh_install: bool = False
    deployment: str = "online"  # online | offline: is the application running meanwhile
    set_root: str = ""  # the folder of its migration set
    # what says so; "" when migralint assumes it (see show_context)
    transaction_reason: str = ""
    fresh_reason: str = ""
    deployment_reason: str = ""
    phase: str | None = None  # expand | migrate | contract: the phase marker, else the name
    phase_reason: str = ""  # what declares the phase ("" when none does)
    statements: int = 0  # how many statements the file holds
    # an up file of a tool that pairs it with a down file: has it one (None: not such a
    # file), and does its project write down files at all
    has_down: bool | None = None
    downs_written: bool = False
    graph: str = ""  # the set's revision graph, for a tool that has one ("1 head")

    @property
    def name(self) -> str:
        """The file's name, without its folder."""
        return self.path.replace("\\", "/").rsplit("/", 1)[-1]
