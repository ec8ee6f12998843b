"""Where a CREATE TABLE defines each column: the scan without a regular expression per
column finds exactly what the regular expression finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from migralint.sql import facts

TEXT = st.text(alphabet='aAbB1_$"` \t\n\x1c(,.x', max_size=40)
NAME = st.text(alphabet="aAbB1_$", min_size=1, max_size=3)


@settings(max_examples=1000, deadline=None)
@given(text=TEXT, name=NAME, start=st.integers(0, 5))
def test_the_scan_finds_the_first_match_of_the_expression(text: str, name: str, start: int) -> None:
    expected = facts.definition_offset(text, name, start)
    assert facts.ascii_definition_offset(text.lower(), name.lower(), start) == expected


def test_a_definition_is_a_whole_word_followed_by_more() -> None:
    text = 'CREATE TABLE t (ids int, "id" int, x_id int)'
    assert facts.ascii_definition_offset(text.lower(), "id", text.find("(")) == text.find('"id"')
    assert facts.ascii_definition_offset("(id)", "id", 0) is None  # nothing follows it
