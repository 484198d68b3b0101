"""``make bench``: the performance figures of DESIGN.md §6.

Each ``benchmarks/bench_*.py`` module has ``run() -> list[Figure]``; this
package runs them all (or those named on the command line) and prints one
table. Speed is measured here, never asserted in unit tests.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Figure"]


@dataclass(frozen=True, kw_only=True)
class Figure:
    """One measured number: what, value, unit, and the target it is judged against."""

    area: str
    name: str
    value: float
    unit: str
    target: str = ""
    note: str = ""
