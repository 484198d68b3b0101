"""The batch-wide span look-ups answer exactly what the plain loops they replace answered."""

from __future__ import annotations

import random
from collections import Counter

from privacy.recognizers._base import Hit, Verdict
from privacy.recognizers._person_minority import _LIST_SEP, _listed, _whole_item, minority_names
from privacy.recognizers._spans import Around, Overlaps, Placed


def _random_spans(rng: random.Random, n: int, *, width: int = 60, longest: int = 8) -> list[tuple[int, int]]:
    spans = []
    for _ in range(n):
        a = rng.randrange(width)
        spans.append((a, a + rng.randrange(0, longest)))
    return spans


def _disjoint_spans(rng: random.Random, n: int) -> list[tuple[int, int]]:
    spans, at = [], 0
    for _ in range(n):
        at += rng.randrange(0, 3)
        end = at + rng.randrange(1, 6)
        spans.append((at, end))
        at = end
    return spans


def test_overlaps_agrees_with_the_pairwise_test() -> None:
    rng = random.Random(7)
    for _ in range(400):
        spans = _random_spans(rng, rng.randrange(0, 12))
        look = Overlaps(spans)
        for start, end in _random_spans(rng, 20):
            plain = not all(end <= s or start >= e for s, e in spans)
            assert look.any(start, end) == plain, (spans, start, end)


def test_around_gives_the_containing_places_sorted_disjoint_or_not() -> None:
    rng = random.Random(11)
    for trial in range(400):
        places = (
            _disjoint_spans(rng, rng.randrange(0, 10))
            if trial % 2
            else _random_spans(rng, rng.randrange(0, 10))
        )
        around = Around(places)
        for a, b in _random_spans(rng, 25):
            if a < b:
                assert around.containing(a, b) == [(x, y) for x, y in places if x <= a and b <= y], (
                    places,
                    a,
                    b,
                )


def _hit(start: int, end: int, score: float = 0.9) -> Hit:
    return Hit("PERSON", start, end, score, Verdict("pii.why.person_model", {}, score))


def test_placed_replaces_as_the_plain_list_does() -> None:
    rng = random.Random(5)
    for _ in range(300):
        hits = [
            _hit(a, b, rng.choice((0.5, 0.9))) for a, b in _random_spans(rng, rng.randrange(0, 10)) if a < b
        ]
        plain, placed = list(hits), Placed(hits)
        for a, b in _random_spans(rng, 8):
            if a >= b:
                continue
            new = _hit(a, b)
            overlapping = [h for h in plain if h.start < new.end and new.start < h.end]
            assert placed.overlapping(a, b) == overlapping
            if rng.random() < 0.6:
                plain = [h for h in plain if h not in overlapping] + [new]
                placed.replace(overlapping, new)
            assert placed.in_order() == plain


def _listed_plainly(text: str, spans: list[tuple[int, int]], found: list[Hit]) -> set[tuple[int, int]]:
    """The 、-list pass as first written: every item against every name."""
    items = [(a, b) for a, b in spans if _whole_item(text, a, b)]
    names = {(h.start, h.end) for h in found} | set(items)
    listed = set()
    for a, b in items:
        for x, y in names:
            if (x, y) != (a, b) and (text[y:a] == _LIST_SEP or text[b:x] == _LIST_SEP):
                listed.add((a, b))
                break
    return listed


def test_listed_agrees_with_the_pairwise_pass() -> None:
    rng = random.Random(3)
    for _ in range(300):
        text = "".join(
            rng.choice("扎西、巴特尔，其其格（" if rng.random() < 0.8 else "、") for _ in range(30)
        )
        spans = sorted({(a, b) for a, b in _random_spans(rng, 12, width=28, longest=5) if a < b})
        found = [_hit(a, b) for a, b in _random_spans(rng, 4, width=28, longest=4) if a < b]
        assert _listed(text, spans, found) == _listed_plainly(text, spans, found), (text, spans, found)


def test_minority_names_in_a_batch_with_many_hits_and_places() -> None:
    # One long text with hundreds of hits and places (a batch): a run inside a place stays out (every third
    # 委员哈斯 is an organisation here), a shorter hit gives way to the name that covers it (哈 → 哈斯),
    # except where the place refused the name; the other hits stay as they were.
    piece = "委员哈斯、其其格两口子来了。王建国来了。"
    n, at, wang = len(piece), piece.index("委员哈斯"), piece.index("王建国")
    text = piece * 300
    hits = [_hit(k * n + wang, k * n + wang + 3) for k in range(300)]
    hits += [_hit(k * n + at + 2, k * n + at + 3) for k in range(0, 300, 2)]
    places = [(k * n + at, k * n + at + 4) for k in range(0, 300, 3)]
    found = minority_names(text, hits, places)
    assert Counter(text[h.start : h.end] for h in found) == {
        "其其格": 300,
        "王建国": 300,
        "哈斯": 200,
        "哈": 50,
    }
    assert [h.start for h in found] == sorted(h.start for h in found)
