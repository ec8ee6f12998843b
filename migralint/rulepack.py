"""Loading rule packs by path, and choosing the rules a run uses.

The built-in rules are a pack like any team's own (`rule_paths`): a folder of Python
modules, each holding `@rule`-decorated checks. Loading imports the modules under a
private package name; nothing else in the folder runs.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, overload

from migralint.config import ConfigError, Settings, suggest

if TYPE_CHECKING:
    from migralint.rule import RuleSpec


def builtin_pack() -> Path:
    """The built-in `rules/` folder: inside the wheel, or beside the source checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "_builtin_rules"
    return installed if installed.is_dir() else here.parent / "rules"


@functools.cache
def load_pack(folder: Path) -> tuple[RuleSpec, ...]:
    """Every rule defined in the pack's modules, in path order."""
    from migralint.rule import RuleSpec

    if not folder.is_dir():
        raise ConfigError(f"rule pack {folder} is not a folder")
    package = "migralint_pack_" + hashlib.sha1(str(folder).encode()).hexdigest()[:10]
    found: list[RuleSpec] = []
    for path in sorted(folder.rglob("*.py")):
        if path.name.startswith(("_", "test_")):
            continue
        relative = path.relative_to(folder).with_suffix("")
        name = ".".join((package, *relative.parts))
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            continue
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as error:
            raise ConfigError(f"rule pack {folder}: cannot load {path.name}: {error}") from error
        for value in vars(module).values():
            rule_spec = getattr(value, "__migralint_rule__", None)
            if isinstance(rule_spec, RuleSpec):
                found.append(replace(rule_spec, doc=module.__doc__ or "", source=str(path)))
    return tuple(found)


@dataclass(frozen=True)
class RuleSet:
    """All known rules, looked up by id or alias."""

    rules: tuple[RuleSpec, ...]

    @functools.cached_property
    def by_name(self) -> dict[str, RuleSpec]:
        names: dict[str, RuleSpec] = {}
        for spec in self.rules:
            for name in (spec.id, *spec.aliases):
                names.setdefault(name, spec)
        return names

    def get(self, name: str) -> RuleSpec | None:
        return self.by_name.get(name)

    def resolve(self, name: str, where: str = "") -> list[RuleSpec]:
        """Rules a selector names: an id, an alias, a category, or ALL."""
        from migralint.rule import CATEGORIES

        if name.upper() == "ALL":
            return list(self.rules)
        if name in CATEGORIES:
            return [r for r in self.rules if r.category == name]
        found = [r for r in self.rules if name == r.id or name in r.aliases]
        if not found:
            raise ConfigError(
                f"{where}unknown rule {name!r}{suggest(name, [*self.by_name, *CATEGORIES])}"
            )
        return found

    def selected(self, settings: Settings) -> list[RuleSpec]:
        """The rules a run uses: defaults or `select`, plus `extend_select`, minus `ignore`
        and `extend_ignore`, severities applied.

        The rules about inputs (a path not linted, and why) stay on whatever `select`
        says, so that narrowing a run never hides a file it did not read; `ignore` them
        by name.
        """
        for where, rid in settings.rule_ids():
            self.resolve(rid, f"{where}: ")
        settings = settings.folded(r.id for r in self.rules if r.enabled_by_default)
        if settings.select:
            chosen = {r.id: r for name in settings.select for r in self.resolve(name)}
            chosen.update((r.id, r) for r in self.rules if _about_inputs(r))
        else:
            chosen = {r.id: r for r in self.rules if r.enabled_by_default}
        for name in settings.ignore:
            for r in self.resolve(name):
                chosen.pop(r.id, None)
        for name in settings.squawk_excluded:
            for r in self.rules:
                if name == r.id or name in r.aliases:
                    chosen.pop(r.id, None)
        overrides = {r.id: v for k, v in settings.severity.items() for r in self.resolve(k)}
        return [
            replace(r, severity=overrides[r.id]) if r.id in overrides else r
            for r in chosen.values()
        ]


def load_rules(extra_packs: Sequence[Path] = ()) -> RuleSet:
    """The built-in pack plus the configured ones; duplicate ids are an error."""
    rules: list[RuleSpec] = []
    seen: dict[str, str] = {}
    for folder in (builtin_pack(), *extra_packs):
        for spec in load_pack(folder):
            _check_unique(spec, seen)
            rules.append(spec)
    return RuleSet(tuple(rules))


class PackRules(Sequence["RuleSpec"]):
    """`load_rules(packs).rules`, loaded when first asked for: what a report of a run
    answered from the cache is given, since most formats never ask."""

    def __init__(self, packs: Sequence[Path] = ()) -> None:
        self._packs = tuple(packs)

    @functools.cached_property
    def _rules(self) -> tuple[RuleSpec, ...]:
        return load_rules(self._packs).rules

    @overload
    def __getitem__(self, index: int) -> RuleSpec: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[RuleSpec]: ...
    def __getitem__(self, index: int | slice) -> RuleSpec | Sequence[RuleSpec]:
        return self._rules[index]

    def __len__(self) -> int:
        return len(self._rules)


def _about_inputs(spec: RuleSpec) -> bool:
    from migralint.problems import InputProblem

    return all(issubclass(t, InputProblem) for t in spec.op_types)


def _check_unique(spec: RuleSpec, seen: dict[str, str]) -> None:
    if spec.id in seen:
        raise ConfigError(f"rule {spec.id!r} is defined twice: {seen[spec.id]} and {spec.source}")
    seen[spec.id] = spec.source
