"""Overlap and containment look-ups over many spans, for passes that run over a whole batch of texts.

A batch joins hundreds of texts into one string, so a pass that compares every candidate with every
hit or place of the batch is quadratic in the batch size (the minority-name pass spent a quarter of a
real-text scan in such loops). These helpers answer the same questions from sorted starts:

* :class:`Overlaps` — does a span overlap any of a fixed set of spans (any spans, nested or not);
* :class:`Around` — which of a set of spans contain a span (one bisect when they are sorted and
  disjoint, as the model's words are; every span otherwise);
* :class:`Placed` — a changing list of hits, with the hits overlapping a span found by a window of
  starts and the list's order kept, so ``sorted(..., key=start)`` gives what the list would have given.

Each answers exactly what the plain loop answered; the tests compare them on random spans.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

from privacy.recognizers._base import Hit

__all__ = ["Around", "Overlaps", "Placed"]


class Overlaps:
    """Whether a span overlaps any of ``spans`` (``s < end and start < e``), in O(log n) per question.

    Parameters
    ----------
    spans : iterable of (int, int)
        (start, end) pairs, in any order, nested or overlapping.
    """

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [s for s, _ in ordered]
        self._reach: list[int] = []  # the largest end among the spans up to each one
        reach = -1
        for _, e in ordered:
            reach = max(reach, e)
            self._reach.append(reach)

    def any(self, start: int, end: int) -> bool:
        """True if some span ``(s, e)`` has ``s < end`` and ``e > start``."""
        k = bisect.bisect_left(self._starts, end)  # spans [0, k) start before ``end``
        return k > 0 and self._reach[k - 1] > start


class Around:
    """The spans of ``places`` that contain a span (``x <= a and b <= y``).

    Parameters
    ----------
    places : sequence of (int, int)
        (start, end) pairs; when they are sorted and do not overlap (the model's words) a question
        costs one bisect, otherwise every place is checked.
    """

    def __init__(self, places: Sequence[tuple[int, int]]) -> None:
        self._places = list(places)
        self._starts = [x for x, _ in self._places]
        self._disjoint = all(
            self._places[i][0] <= self._places[i + 1][0] and self._places[i][1] <= self._places[i + 1][0]
            for i in range(len(self._places) - 1)
        )

    def containing(self, a: int, b: int) -> list[tuple[int, int]]:
        """The places ``(x, y)`` with ``x <= a`` and ``b <= y``, in their order (for ``a < b``)."""
        if not self._disjoint:
            return [(x, y) for x, y in self._places if x <= a and b <= y]
        # Sorted and disjoint: every place before the last one starting at or before ``a`` ends by then.
        k = bisect.bisect_right(self._starts, a) - 1
        return [self._places[k]] if k >= 0 and b <= self._places[k][1] else []


class Placed:
    """A list of hits that new hits replace, with the overlap question answered from sorted starts.

    Parameters
    ----------
    hits : iterable of Hit
        The list's first hits, in order.
    """

    def __init__(self, hits: Iterable[Hit]) -> None:
        self._alive: dict[int, Hit] = dict(enumerate(hits))
        # (start, position) of every hit ever added; a dropped hit's key stays, its position leaves _alive
        self._keys = sorted((h.start, n) for n, h in self._alive.items())
        self._longest = max((h.end - h.start for h in self._alive.values()), default=0)
        self._next = len(self._alive)

    def _window(self, start: int, end: int) -> list[tuple[int, Hit]]:
        """(position, hit) of the hits in the list that overlap ``[start, end)``, in list order."""
        low = bisect.bisect_left(self._keys, (start - self._longest + 1, -1))  # a hit ending after ``start``
        high = bisect.bisect_left(self._keys, (end, -1))  # starts before ``start - longest + 1`` cannot
        found = []
        for _, n in self._keys[low:high]:
            hit = self._alive.get(n)
            if hit is not None and hit.start < end and start < hit.end:
                found.append((n, hit))
        return sorted(found, key=lambda pair: pair[0])

    def overlapping(self, start: int, end: int) -> list[Hit]:
        """The hits now in the list that overlap ``[start, end)``, in list order."""
        return [hit for _, hit in self._window(start, end)]

    def replace(self, old: Sequence[Hit], new: Hit) -> None:
        """Drop every hit that overlaps ``new`` and equals one of ``old``; append ``new`` at the list's end.

        (A hit equal to one of ``old`` has its span, so when ``old`` overlap ``new`` this drops every
        hit equal to one of them, as ``[h for h in hits if h not in old] + [new]`` does.)
        """
        for n, hit in self._window(new.start, new.end):
            if hit in old:
                del self._alive[n]
        self._alive[self._next] = new
        bisect.insort(self._keys, (new.start, self._next))
        self._longest = max(self._longest, new.end - new.start)
        self._next += 1

    def in_order(self) -> list[Hit]:
        """The hits in list order (the order a plain list would have)."""
        return list(self._alive.values())  # a dict keeps insertion order: positions only grow
