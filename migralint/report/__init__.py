"""Output formats: pure functions from a lint result to text, registered by name."""

from __future__ import annotations

from migralint.report.options import ReportOptions
from migralint.report.registry import FORMATS, MACHINE_FORMATS

__all__ = ["FORMATS", "MACHINE_FORMATS", "ReportOptions"]
