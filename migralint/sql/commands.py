"""Recognisers for statements that are simpler to read by their keywords than by sqlglot.

sqlglot leaves many PostgreSQL forms as an opaque `Command` (DO, CREATE FUNCTION,
ALTER TYPE … ADD VALUE, REINDEX, …) or cannot parse them at all (DROP INDEX a, b).
These forms have a fixed keyword shape, so a regular expression reads them exactly
and fast. Each recogniser returns a list of Ops, or None when the text is not its form.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from migralint.sql import ops, routines
from migralint.sql.alter_actions import split_actions
from migralint.sql.blocks import executes, loops, words
from migralint.sql.names import IDENT, QNAME, fold, leading_name, parse_name
from migralint.sql.normalise import SKIPPED

Recogniser = Callable[[str, ops.Location, str], "list[ops.Op] | None"]

_F = re.IGNORECASE | re.DOTALL


def _names(text: str, dialect: str) -> list[ops.Name]:
    """Comma-separated object names; function signatures `f(int, text)` lose their args."""
    found = (leading_name(part, dialect) for _, part in split_actions(text))
    return [name for name in found if name is not None]


_DROP = re.compile(
    r"DROP\s+(?P<kind>TABLE|INDEX|VIEW|MATERIALIZED\s+VIEW|SCHEMA|DATABASE|TYPE|SEQUENCE|"
    r"FUNCTION|PROCEDURE|ROUTINE|EXTENSION|DOMAIN|TRIGGER|POLICY|RULE|AGGREGATE|COLLATION|SERVER|"
    r"FOREIGN\s+TABLE|PUBLICATION|SUBSCRIPTION|OPERATOR|CAST|ROLE|USER|EVENT\s+TRIGGER)\s+"
    r"(?P<concurrently>CONCURRENTLY\s+)?(?P<if_exists>IF\s+EXISTS\s+)?"
    r"(?P<names>.*?\S)(?:\s+ON\s+(?P<table>" + QNAME + r"))?"
    r"(?:\s+(?P<behaviour>CASCADE|RESTRICT))?(?:\s+(?:ALGORITHM|LOCK)\s*(?:=\s*)?\w+)*\s*$",
    _F,
)


def drop(text: str, loc: ops.Location, dialect: str) -> list[ops.Op] | None:
    m = _DROP.match(text)
    if not m:
        return None
    kind = " ".join(m["kind"].upper().split())
    if_exists = bool(m["if_exists"])
    cascade = (m["behaviour"] or "").upper() == "CASCADE"
    names = _names(m["names"], dialect)
    if not names:  # DROP CAST (int AS text)
        return [ops.Raw(loc=loc, kind=f"DROP {kind}")]
    table = parse_name(m["table"], dialect) if m["table"] else None
    if kind == "TABLE":
        return [
            ops.DropTable(loc=loc, table=n, if_exists=if_exists, cascade=cascade) for n in names
        ]
    if kind == "INDEX":
        concurrently = bool(m["concurrently"])
        return [
            ops.DropIndex(
                loc=loc, name=n, concurrently=concurrently, if_exists=if_exists, cascade=cascade
            )
            for n in names
        ]
    return [
        ops.DropObject(
            loc=loc, kind=kind, name=n, if_exists=if_exists, cascade=cascade, table=table
        )
        for n in names
    ]


_CREATE_OBJECT = re.compile(
    r"CREATE\s+(?P<replace>OR\s+REPLACE\s+)?(?:(?:CONSTRAINT|TRUSTED|PROCEDURAL)\s+)?"
    r"(?:(?:ALGORITHM\s*=\s*\w+|DEFINER\s*=\s*\S+|SQL\s+SECURITY\s+\w+)\s+)*"  # MySQL
    r"(?:TEMP(?:ORARY)?\s+|UNLOGGED\s+)?(?:RECURSIVE\s+)?"
    r"(?P<kind>FUNCTION|PROCEDURE|TRIGGER|EXTENSION|SCHEMA|SEQUENCE|TYPE|DOMAIN|POLICY|RULE|"
    r"AGGREGATE|COLLATION|LANGUAGE|CAST|OPERATOR|ROLE|USER|SERVER|PUBLICATION|SUBSCRIPTION|"
    r"EVENT\s+TRIGGER|TEXT\s+SEARCH\s+\w+|FOREIGN\s+DATA\s+WRAPPER|DATABASE|EVENT|"
    r"VIEW|MATERIALIZED\s+VIEW|VIRTUAL\s+TABLE)\s+"
    r"(?P<if_not_exists>IF\s+NOT\s+EXISTS\s+)?(?P<name>" + QNAME + r")"
    r"(?:.*?\bON\s+(?P<table>" + QNAME + r"))?",
    _F,
)


def create_object(text: str, loc: ops.Location, dialect: str) -> list[ops.Op] | None:
    m = _CREATE_OBJECT.match(text)
    if not m:
        return None
    kind = " ".join(m["kind"].upper().split())
    table = (
        parse_name(m["table"], dialect) if m["table"] and kind in ("TRIGGER", "POLICY") else None
    )
    enum = _ENUM_VALUES.match(text, m.end("name")) if kind == "TYPE" else None
    return [
        ops.CreateObject(
            loc=loc,
            kind=kind,
            name=parse_name(m["name"], dialect),
            if_not_exists=bool(m["if_not_exists"]),
            or_replace=bool(m["replace"]),
            table=table,
            enum_values=tuple(v.replace("''", "'") for v in _STRING.findall(enum[1]))
            if enum
            else (),
            has_check=kind == "DOMAIN" and bool(re.search(r"\bCHECK\b", text, re.IGNORECASE)),
            **(_routine_clauses(text) if kind == "FUNCTION" else {}),
        )
    ]


_SKIPPED = re.compile(SKIPPED, _F)
_VOLATILITY = re.compile(r"\bIMMUTABLE\b|\bSTABLE\b|\bVOLATILE\b", re.IGNORECASE)
_LANGUAGE = re.compile(r"\bLANGUAGE\b", re.IGNORECASE)
_LANGUAGE_NAME = re.compile(r"\s*[\"']?(\w+)")
_RETURNS_TRIGGER = re.compile(
    r"\bRETURNS\s+(?:(?:pg_catalog|\"pg_catalog\")\.)?\"?(?:event_)?trigger\b", re.IGNORECASE
)


def _routine_clauses(text: str) -> dict[str, str | bool | None]:
    """The volatility and language a CREATE FUNCTION states, read outside its quoted
    body (a `BEGIN ATOMIC` body is SQL that names neither), whether it returns a trigger,
    and for a `LANGUAGE sql` one what its calls are inlined as. The language may be
    quoted (`LANGUAGE 'sql'`, `LANGUAGE "plpgsql"`)."""
    head = _SKIPPED.sub(lambda m: " " * len(m[0]), text)  # same length: same positions
    volatility = _VOLATILITY.search(head)
    keyword = _LANGUAGE.search(head)
    language = _LANGUAGE_NAME.match(text, keyword.end()) if keyword else None
    name = language[1].lower() if language else ""
    return {
        "volatility": volatility[0].lower() if volatility else "",
        "language": name,
        "inlined": routines.inlined(text) if name == "sql" else None,
        "returns_trigger": bool(_RETURNS_TRIGGER.search(head)),
    }


_ENUM_VALUES = re.compile(r"\s+AS\s+ENUM\s*\((.*)\)", _F)
_STRING = re.compile(r"'((?:[^']|'')*)'")


_ALTER_TYPE = re.compile(
    r"ALTER\s+TYPE\s+(?P<name>" + QNAME + r")\s+ADD\s+VALUE\s+(?P<ine>IF\s+NOT\s+EXISTS\s+)?"
    r"(?P<value>'(?:[^']|'')*')(?:\s+(?P<position>(?:BEFORE|AFTER)\s+'(?:[^']|'')*'))?\s*$",
    _F,
)


def alter_type_add_value(text: str, loc: ops.Location, dialect: str) -> list[ops.Op] | None:
    m = _ALTER_TYPE.match(text)
    if not m:
        return None
    return [
        ops.AlterTypeAddValue(
            loc=loc,
            name=parse_name(m["name"], dialect),
            value=m["value"][1:-1].replace("''", "'"),
            if_not_exists=bool(m["ine"]),
            position=m["position"],
        )
    ]


_ALTER_DOMAIN_ADD = re.compile(
    r"ALTER\s+DOMAIN\s+(?P<name>"
    + QNAME
    + r")\s+ADD\s+(?:CONSTRAINT\s+(?P<constraint>"
    + IDENT
    + r")\s+)?(?P<body>.*?)(?P<not_valid>\s+NOT\s+VALID)?\s*$",
    _F,
)


def alter_domain_add_constraint(text: str, loc: ops.Location, dialect: str) -> list[ops.Op] | None:
    m = _ALTER_DOMAIN_ADD.match(text)
    if not m:
        return None
    constraint = fold(m["constraint"], dialect) if m["constraint"] else None
    name = parse_name(m["name"], dialect)
    not_valid = bool(m["not_valid"])
    return [
        ops.AlterDomainAddConstraint(loc=loc, name=name, constraint=constraint, not_valid=not_valid)
    ]


_RENAME_OBJECT = re.compile(
    r"ALTER\s+(?P<kind>INDEX|VIEW|MATERIALIZED\s+VIEW|SEQUENCE|SCHEMA|TYPE|DOMAIN|FUNCTION|"
    r"PROCEDURE|ROUTINE|TRIGGER|POLICY)\s+(?:IF\s+EXISTS\s+)?(?P<name>"
    + QNAME
    + r")(?:\s*\([^)]*\))?"
    r"(?:\s+ON\s+" + QNAME + r")?\s+RENAME\s+(?:(?P<what>VALUE|ATTRIBUTE)\s+(?P<old>\S+)\s+)?"
    r"TO\s+(?P<new>" + IDENT + r"|'(?:[^']|'')*')\s*$",
    _F,
)


# A column of a view or foreign table, or a foreign table itself: renamed like a table's.
_RENAME_RELATION = re.compile(
    r"ALTER\s+(?P<kind>VIEW|MATERIALIZED\s+VIEW|FOREIGN\s+TABLE)\s+(?:IF\s+EXISTS\s+)?"
    r"(?P<name>" + QNAME + r")\s+RENAME\s+(?:(?P<column>COLUMN\s+)?(?P<old>" + IDENT + r")\s+)?"
    r"TO\s+(?P<new>" + IDENT + r")\s*$",
    _F,
)


def rename_relation(text: str, loc: ops.Location, dialect: str) -> list[ops.Op] | None:
    """ALTER VIEW | MATERIALIZED VIEW | FOREIGN TABLE … RENAME [COLUMN] a TO b, and
    ALTER FOREIGN TABLE … RENAME TO b (a view's own rename is `rename_object`'s)."""
    m = _RENAME_RELATION.match(text)
    if not m or (m["old"] is None and not m["kind"].upper().startswith("FOREIGN")):
        return None
    name, new = parse_name(m["name"], dialect), fold(m["new"], dialect)
    if m["old"] is None:
        return [ops.RenameTable(loc=loc, table=name, new_name=new)]
    kind = " ".join(m["kind"].lower().split())
    return [
        ops.RenameColumn(
            loc=loc, table=name, column=fold(m["old"], dialect), new_name=new, relation=kind
        )
    ]


def rename_object(text: str, loc: ops.Location, dialect: str) -> list[ops.Op] | None:
    if found := rename_relation(text, loc, dialect):
        return found
    m = _RENAME_OBJECT.match(text)
    if not m:
        return None
    kind = " ".join(m["kind"].upper().split())
    if m["what"]:
        kind = f"{kind} {m['what'].upper()}"
    new = m["new"]
    new = new[1:-1].replace("''", "'") if new.startswith("'") else fold(new, dialect)
    old = m["old"]
    old = old[1:-1].replace("''", "'") if old and old.startswith("'") else old
    name = parse_name(m["name"], dialect)
    return [ops.RenameObject(loc=loc, kind=kind, name=name, new_name=new, old_name=old)]


def _option_on(options: str | None, name: str) -> bool:
    """Whether `(name [boolean], …)` turns option `name` on: PostgreSQL's
    parenthesised options of VACUUM and REINDEX, where `FULL false` means off."""
    for item in (options or "").strip("()").split(","):
        words = item.split()
        if words and words[0].upper() == name:
            return len(words) < 2 or words[1].strip("'").lower() not in ("false", "off", "0")
    return False


_REINDEX = re.compile(
    r"REINDEX\s+(?:(?P<options>\([^)]*\))\s*)?(?P<target>INDEX|TABLE|SCHEMA|DATABASE|SYSTEM)\b"
    r"(?:\s+(?P<concurrently>CONCURRENTLY\b))?(?:\s+(?P<name>" + QNAME + r"))?\s*$",
    _F,
)


def reindex(text: str, loc: ops.Location, dialect: str) -> list[ops.Op] | None:
    m = _REINDEX.match(text)
    if not m:
        return None
    return [
        ops.Reindex(
            loc=loc,
            target=m["target"].upper(),
            name=parse_name(m["name"] or "", dialect),
            concurrently=bool(m["concurrently"]) or _option_on(m["options"], "CONCURRENTLY"),
        )
    ]


_LOCK = re.compile(
    r"LOCK\s+(?:TABLE\s+)?(?:ONLY\s+)?(?P<names>.*?\S)(?:\s+IN\s+(?P<mode>\w+(?:\s+\w+){0,2})\s+MODE)?"
    r"(?:\s+NOWAIT)?\s*$",
    _F,
)


def lock(text: str, loc: ops.Location, dialect: str) -> list[ops.Op] | None:
    m = _LOCK.match(text)
    if not m or dialect == "mysql":
        return None
    mode = " ".join((m["mode"] or "ACCESS EXCLUSIVE").upper().split())
    return [ops.LockTable(loc=loc, table=n, mode=mode) for n in _names(m["names"], dialect)]


_TRUNCATE = re.compile(
    r"TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?(?P<names>.*?\S)"
    r"(?:\s+(?:RESTART|CONTINUE)\s+IDENTITY)?(?:\s+(?P<behaviour>CASCADE|RESTRICT))?\s*$",
    _F,
)


def truncate(text: str, loc: ops.Location, dialect: str) -> list[ops.Op] | None:
    m = _TRUNCATE.match(text)
    if not m:
        return None
    cascade = (m["behaviour"] or "").upper() == "CASCADE"
    return [ops.Truncate(loc=loc, table=n, cascade=cascade) for n in _names(m["names"], dialect)]


_SET = re.compile(
    r"SET\s+(?:(?P<scope>SESSION|LOCAL)\s+)?(?P<name>[\w.]+)\s*(?:=|\bTO\b)\s*(?P<value>.*?\S)\s*$",
    _F,
)
_SET_TIME_ZONE = re.compile(
    r"SET\s+(?:(?P<scope>SESSION|LOCAL)\s+)?TIME\s+ZONE\s+(?P<value>.*?\S)\s*$", _F
)
_SET_CONFIG = re.compile(
    r"SELECT\s+(?:pg_catalog\.)?set_config\s*\(\s*'(?P<name>[\w.]+)'\s*,\s*"
    r"'(?P<value>[^']*)'\s*,\s*(?P<local>\w+)\s*\)",
    _F,
)


def set_setting(text: str, loc: ops.Location, dialect: str) -> list[ops.Op] | None:
    m = _SET_TIME_ZONE.match(text) or _SET.match(text)
    if m:
        value = m["value"].strip().strip("'\"")
        local = (m["scope"] or "").upper() == "LOCAL"
        name = m["name"].lower() if "name" in m.groupdict() else "timezone"
        return [ops.SetSetting(loc=loc, name=name, value=value, local=local)]
    m = _SET_CONFIG.match(text)
    if m:
        local = m["local"].lower() in ("true", "t", "on", "1")
        return [ops.SetSetting(loc=loc, name=m["name"].lower(), value=m["value"], local=local)]
    return None


_BEGIN = re.compile(
    r"(?:BEGIN|START\s+TRANSACTION)(?:\s+(?:WORK|TRANSACTION|ISOLATION|READ|NOT|DEFERRABLE|"
    r"DEFERRED|IMMEDIATE|EXCLUSIVE|WITH)\b.*)?$",
    _F,
)
_COMMIT = re.compile(
    r"(?P<kind>COMMIT|END|ROLLBACK|ABORT)(?:\s+(?:WORK|TRANSACTION))?\s*(?:AND\s+(?:NO\s+)?CHAIN)?$",
    _F,
)


def transaction(text: str, loc: ops.Location, dialect: str) -> list[ops.Op] | None:
    if _BEGIN.match(text):
        return [ops.Begin(loc=loc)]
    m = _COMMIT.match(text)
    if m:
        return [ops.Commit(loc=loc, rollback=m["kind"].upper() in ("ROLLBACK", "ABORT"))]
    return None


_DO = re.compile(r"DO\s+(?:LANGUAGE\s+\w+\s+)?(?P<body>.*)$", _F)


def do_block(text: str, loc: ops.Location, dialect: str) -> list[ops.Op] | None:
    m = _DO.match(text)
    if not m:
        return None
    block = ops.DoBlock(loc=loc, body=m["body"])
    facts = {"executes": executes(block), "loops": loops(block), "words": words(block)}
    return [dataclasses.replace(block, **facts)]


_INSERT = re.compile(
    r"(?:INSERT|REPLACE)\s+(?:(?:IGNORE|OR\s+\w+)\s+)?INTO\s+(?P<name>" + QNAME + r")", _F
)
_ON_CONFLICT = re.compile(
    r"\bON\s+(?:CONFLICT|DUPLICATE\s+KEY)\b|^\s*(?:INSERT\s+(?:IGNORE|OR\s+\w+)|REPLACE)\b", _F
)
_FROM_QUERY = re.compile(
    r"^[^']*?\)\s*(?:SELECT|WITH)\b|INTO\s+" + QNAME + r"\s+(?:SELECT|WITH)\b", _F
)


def insert(text: str, loc: ops.Location, dialect: str) -> list[ops.Op] | None:
    """INSERT is read by keywords: a dump's multi-megabyte VALUES list needs no parse."""
    m = _INSERT.match(text)
    if not m:
        return None
    head = text[: m.end() + 400]
    targets = _insert_targets(head[m.end() :], dialect)
    return [
        ops.Insert(
            loc=loc,
            table=parse_name(m["name"], dialect),
            on_conflict=bool(_ON_CONFLICT.search(text)),
            from_query=bool(_FROM_QUERY.search(head)),
            columns=tuple(column for column, _ in targets),
            partial=tuple(part for _, part in targets),
        )
    ]


_INSERT_TARGETS = re.compile(
    r"\s*(?:AS\s+" + IDENT + r"\s*)?\((?P<targets>[^()]*)\)\s*(?:VALUES|SELECT|WITH|DEFAULT|"
    r"OVERRIDING|\()",
    _F,
)


def _insert_targets(rest: str, dialect: str) -> list[tuple[str, bool]]:
    """An INSERT's column list (what follows its table name): each target's column, and
    whether only part of it is written (an element `a[1]`, a field `a.x`)."""
    m = _INSERT_TARGETS.match(rest)
    if not m:
        return []
    targets = (t.strip() for t in m["targets"].split(","))
    return [(fold(base, dialect), base != t) for t in targets if (base := _column_of(t))]


def _column_of(target: str) -> str:
    return re.split(r"[.\[]", target, maxsplit=1)[0].strip()


_VACUUM = re.compile(
    r"VACUUM\s*(?P<options>\([^)]*\))?(?P<full>\s*FULL\b)?(?:\s+(?:FREEZE|VERBOSE|ANALYZE)\b)*"
    r"\s*(?P<name>" + QNAME + r")?",
    _F,
)
_CLUSTER = re.compile(r"CLUSTER\s*(?:\([^)]*\)\s*)?(?:VERBOSE\s+)?(?P<name>" + QNAME + r")?", _F)
_REFRESH = re.compile(
    r"REFRESH\s+MATERIALIZED\s+VIEW\s+(?P<concurrently>CONCURRENTLY\s+)?(?P<name>" + QNAME + r")",
    _F,
)


def maintenance(text: str, loc: ops.Location, dialect: str) -> list[ops.Op] | None:
    """VACUUM [FULL], CLUSTER and REFRESH MATERIALIZED VIEW."""
    word = text[:7].upper()
    if word.startswith("VACUUM") and (m := _VACUUM.match(text)):
        full = bool(m["full"]) or _option_on(m["options"], "FULL")
        name = parse_name(m["name"], dialect) if m["name"] else None
        return [ops.Vacuum(loc=loc, full=full, name=name)]
    if word == "CLUSTER" and (m := _CLUSTER.match(text)):
        name = parse_name(m["name"], dialect) if m["name"] else None
        return [ops.Cluster(loc=loc, name=name)]
    if word == "REFRESH" and (m := _REFRESH.match(text)):
        return [
            ops.RefreshMaterializedView(
                loc=loc, name=parse_name(m["name"], dialect), concurrently=bool(m["concurrently"])
            )
        ]
    return None


_SET_SCHEMA = re.compile(
    r"ALTER\s+(?P<kind>VIEW|MATERIALIZED\s+VIEW|SEQUENCE|TYPE|DOMAIN|FUNCTION|PROCEDURE|"
    r"ROUTINE|EXTENSION)\s+(?:IF\s+EXISTS\s+)?(?P<name>"
    + QNAME
    + r")(?:\s*\([^)]*\))?\s+SET\s+SCHEMA\s+"
    r"(?P<schema>" + IDENT + r")\s*$",
    _F,
)


def set_schema(text: str, loc: ops.Location, dialect: str) -> list[ops.Op] | None:
    m = _SET_SCHEMA.match(text)
    if not m:
        return None
    kind = " ".join(m["kind"].upper().split())
    name = parse_name(m["name"], dialect)
    return [ops.SetSchema(loc=loc, kind=kind, name=name, new_schema=fold(m["schema"], dialect))]
