"""`plan --from`: the clauses of an ADD CONSTRAINT that its operation's plan carries.

The plans of add-check, add-unique, add-primary-key and add-foreign-key render only
the constraint's name, kind, columns, condition, reference and ON DELETE action. A
statement that says more (ONLY on a CHECK, NULLS NOT DISTINCT, DEFERRABLE, INCLUDE, WITH (…),
USING INDEX TABLESPACE, NO INHERIT, NOT VALID, MATCH FULL, ON UPDATE …, ON DELETE SET
NULL (cols)) would lose it in its plan. The statement is read token by token against
that one grammar, so a clause no reader of this module knows is named too, never
dropped; the statement is then kept as written for the user to plan by hand.
"""

from __future__ import annotations

from typing import Any

_PUNCTUATION = frozenset({"L_PAREN", "R_PAREN", "COMMA", "DOT", "SEMICOLON"})
_ON_DELETE_ACTIONS = (
    ("CASCADE",),
    ("RESTRICT",),
    ("NO", "ACTION"),
    ("SET", "NULL"),
    ("SET", "DEFAULT"),
)


class _Tokens:
    """The statement's tokens (trailing `;` left out) and a position in them."""

    def __init__(self, statement: str) -> None:
        import sqlglot

        self.text = statement
        tokens = sqlglot.tokenize(statement, read="postgres")
        while tokens and tokens[-1].token_type.name == "SEMICOLON":
            tokens.pop()
        self.tokens: list[Any] = tokens
        self.i = 0

    def done(self) -> bool:
        return self.i >= len(self.tokens)

    def at(self, kind: str) -> bool:
        """Is the next token of this kind?"""
        return not self.done() and self._kind(self.i) == kind

    def _kind(self, at: int) -> str:
        return self.tokens[at].token_type.name

    def take(self, *words: str) -> bool:
        """Consume the keywords (unquoted, any case) if they come next; the tokenizer
        reads some pairs (PRIMARY KEY, FOREIGN KEY) as one token."""
        wanted, at = list(words), self.i
        while wanted:
            if at >= len(self.tokens) or self._kind(at) == "IDENTIFIER":
                return False
            read = self.tokens[at].text.upper().split()
            if read != wanted[: len(read)]:
                return False
            wanted, at = wanted[len(read) :], at + 1
        self.i = at
        return True

    def name(self) -> bool:
        """Consume a possibly qualified name."""
        while not self.done() and self._kind(self.i) not in _PUNCTUATION:
            self.i += 1
            if self.done() or self._kind(self.i) != "DOT":
                return True
            self.i += 1
        return False

    def names(self) -> bool:
        """Consume `(name, name …)`."""
        if not self.at("L_PAREN"):
            return False
        self.i += 1
        while self.name():
            if self.done():
                return False
            kind = self._kind(self.i)
            self.i += 1
            if kind == "R_PAREN":
                return True
            if kind != "COMMA":
                return False
        return False

    def parenthesized(self) -> bool:
        """Consume a balanced `( … )`."""
        if not self.at("L_PAREN"):
            return False
        depth = 0
        while not self.done():
            kind = self._kind(self.i)
            depth += (kind == "L_PAREN") - (kind == "R_PAREN")
            self.i += 1
            if depth == 0:
                return True
        return False

    def span(self, start: int) -> str:
        """The statement's text from token `start` to the last one consumed."""
        return " ".join(
            self.text[self.tokens[start].start : self.tokens[self.i - 1].end + 1].split()
        )

    def rest(self, start: int | None = None) -> str:
        """The statement's text from token `start` (default: here) to its end."""
        at = self.i if start is None else start
        offset = self.tokens[at].start if at < len(self.tokens) else 0
        text = " ".join(self.text[offset:].split()).rstrip(";").strip()
        return text if len(text) <= 60 else text[:59] + "…"


def uncarried(statement: str, table_known: bool) -> str | None:
    """The first clause of an `ALTER TABLE … ADD [CONSTRAINT n] CHECK / UNIQUE / PRIMARY
    KEY / FOREIGN KEY …` statement that its plan would not carry, as written; None if the
    plan carries all it says. IF EXISTS is carried when the migrations before the file
    create the table (`table_known`): the plan's ALTER then does what it does. ONLY is
    carried but on a CHECK: plain inheritance children inherit no key or foreign key, and
    `plan --from` plans nothing on a partitioned table (from_file_partitions)."""
    import sqlglot

    try:
        t = _Tokens(statement)
    except sqlglot.errors.TokenError:
        return " ".join(statement.split())
    if not t.take("ALTER", "TABLE"):
        return t.rest(0)
    if t.take("IF", "EXISTS") and not table_known:
        return "IF EXISTS"
    only = t.take("ONLY")
    if not (t.name() and t.take("ADD")):
        return t.rest()
    if t.take("CONSTRAINT") and not t.name():
        return t.rest()
    if t.take("CHECK"):
        if only:  # a CHECK is inherited: ONLY keeps it off the children
            return "ONLY"
        carried = t.parenthesized()
    elif t.take("UNIQUE"):
        t.take("NULLS", "DISTINCT")  # the default
        carried = t.names()
    elif t.take("PRIMARY", "KEY"):
        carried = t.names()
    elif t.take("FOREIGN", "KEY"):
        carried = t.names() and t.take("REFERENCES") and t.name()
        carried = carried and (not t.at("L_PAREN") or t.names())  # the key when none
        while carried and not t.done():
            start = t.i
            if t.take("ON", "DELETE"):
                if not any(t.take(*action) for action in _ON_DELETE_ACTIONS):
                    return t.rest(start)
                if t.at("L_PAREN"):
                    t.parenthesized()
                    return t.span(start)
            elif not (t.take("ON", "UPDATE", "NO", "ACTION") or t.take("MATCH", "SIMPLE")):
                break
    else:
        carried = False
    if not carried:
        return t.rest()
    t.take("NOT", "DEFERRABLE")  # the default, as is INITIALLY IMMEDIATE
    t.take("INITIALLY", "IMMEDIATE")
    return None if t.done() else t.rest()
