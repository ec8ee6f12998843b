"""Output formats: pure functions from a lint result to text."""

from __future__ import annotations

FORMATS = ("text", "json")
