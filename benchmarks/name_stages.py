"""Where the name recognizer loses a labelled name: ``python -m benchmarks.name_stages [--split dev] [--errors]``.

Every labelled ``PERSON`` span of the real-text corpus that the detector does not report
exactly is put in one bin, by the last stage at which the name was still there:

* ``wrong_span`` — a reported name overlaps it with other boundaries;
* ``other_entity`` — no name overlaps it, another entity type (an address …) does;
* ``dropped_detector`` — the name recognizer returned it exactly, the detector dropped it
  (below the reporting threshold, or it lost an overlap against another entity);
* ``dropped_person`` — it passed the vetoes but was lost in the recognizer's own overlap
  resolution or its later passes (lists, repeats …);
* ``veto`` — it was a candidate and a veto removed it (business, spelt-out, not-a-person);
* ``odds_rejected`` — a posterior candidate the learned decision did not take;
* ``odds_vetoed`` — its posterior reached the floor, but the candidate filter (a place, a
  word for people, overlapping the path's names …) removed it;
* ``rule_dropped`` / ``model_dropped`` — a rule (any score) or the model's best path had it
  exactly, dropped in the merge;
* ``overlap_only`` — nothing had it exactly, a candidate overlapped it;
* ``none`` — no stage proposed anything overlapping it; split by its CRF posterior of being
  one name word (computed with a floor of 1e-4 for this measurement only).

Counts only, per register and for ``service`` (hotline, form, chat, notice). ``--errors``
prints each lost name with its bin and sentence; it is refused on ``heldout`` (tune on dev only).
Each sentence is scanned alone (``Detector.hits``); the scorer's batched scan can differ by a span
or two, the miss totals of both are printed.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

__all__ = ["BINS", "classify", "main"]

BINS = (
    "wrong_span",
    "other_entity",
    "dropped_detector",
    "dropped_person",
    "veto",
    "odds_rejected",
    "odds_vetoed",
    "rule_dropped",
    "model_dropped",
    "overlap_only",
    "none",
)
_SERVICE = frozenset(("hotline", "form", "chat", "notice"))
_POSTERIOR_BANDS = ((0.02, "none_p>=0.02"), (0.002, "none_p>=0.002"), (0.0, "none_p<0.002"))


class _Probe:
    """Records what the name recognizer's stages saw for one text (wrappers around its module functions)."""

    def __init__(self) -> None:
        from privacy.recognizers import _person_odds, person

        self.person, self.odds_module = person, _person_odds
        self.reset()
        self._originals = {}
        for name in ("brand", "not_a_person", "_spelt_out", "resolve_overlaps"):
            self._originals[name] = getattr(person, name)
        self._originals["odds_candidates"] = _person_odds.odds_candidates

    def reset(self) -> None:
        self.rules: set[tuple[int, int]] = set()
        self.model: set[tuple[int, int]] = set()
        self.posterior: set[tuple[int, int]] = set()
        self.candidates: set[tuple[int, int]] = set()
        self.accepted: set[tuple[int, int]] = set()
        self.pre_veto: set[tuple[int, int]] = set()
        self.post_veto: set[tuple[int, int]] = set()
        self.output: set[tuple[int, int]] = set()

    def uninstall(self, recognizer: object) -> None:
        """Put the recognizer's and the modules' own functions back."""
        from privacy.recognizers._lac import get_lac

        for name in ("brand", "not_a_person", "_spelt_out", "resolve_overlaps"):
            setattr(self.person, name, self._originals[name])
        self.odds_module.odds_candidates = self._originals["odds_candidates"]
        for owner, name in ((recognizer, "find"), (recognizer._rules, "find"), (get_lac(), "analyse")):  # type: ignore[attr-defined]
            vars(owner).pop(name, None)

    def install(self, recognizer: object) -> None:
        person, probe, orig = self.person, self, self._originals
        rules_find = recognizer._rules.find  # type: ignore[attr-defined]
        find = recognizer.find  # type: ignore[attr-defined]
        from privacy.recognizers._lac import get_lac

        lac = get_lac()
        analyse = lac.analyse

        def rules(text: str) -> list:
            found = rules_find(text)
            probe.rules |= {(h.start, h.end) for h in found}
            return found

        def analysed(text: str, **kwargs: object) -> tuple:
            spans, words = analyse(text, **kwargs)
            probe.model |= {(s.start, s.end) for s in spans if s.label == "PER" or s.label.startswith("NAME")}
            probe.posterior |= set(words.odds)
            return spans, words

        def candidates(text: str, spans: list, words: object, *, allowed: object = None) -> list:
            found = orig["odds_candidates"](text, spans, words, allowed=allowed)
            decision = probe.odds_module.get_name_odds()
            for start, end, odds in found:
                probe.candidates.add((start, end))
                if decision.accepts(probe.odds_module.features(text, start, end, odds, words)):
                    probe.accepted.add((start, end))
            return found

        def brand(text: str, hit: object) -> bool:
            probe.pre_veto.add((hit.start, hit.end))  # type: ignore[attr-defined]
            return orig["brand"](text, hit)

        def resolve(hits: list, **kwargs: object) -> list:
            if hits and all(h.entity_type == "PERSON" for h in hits):
                probe.post_veto |= {(h.start, h.end) for h in hits}
            return orig["resolve_overlaps"](hits, **kwargs)

        def found(text: str, **kwargs: object) -> list:
            hits = find(text, **kwargs)
            probe.output |= {(h.start, h.end) for h in hits if h.score >= 0.5}
            return hits

        recognizer._rules.find = rules  # type: ignore[attr-defined]
        recognizer.find = found  # type: ignore[attr-defined]
        lac.analyse = analysed
        self.odds_module.odds_candidates = candidates
        person.brand = brand
        person.resolve_overlaps = resolve


def _posterior(text: str, start: int, end: int) -> float:
    """P(text[start:end] is one name word) from the CRF, with a floor of 1e-4 (measurement only)."""
    from privacy.recognizers import _lac

    floor = _lac.ODDS_FLOOR
    _lac.ODDS_FLOOR = 1e-4
    try:
        _, words = _lac.get_lac().analyse_many([text])[0]
    finally:
        _lac.ODDS_FLOOR = floor
    return words.name_odds(start, end) if end - start >= 2 else 0.0


def _model_reason(text: str, start: int, end: int) -> str:
    """Why the merge dropped a name the model's best path had exactly (measurement only)."""
    from privacy.recognizers import person
    from privacy.recognizers._lac import Span, get_lac
    from privacy.recognizers._person_edges import person_words
    from privacy.recognizers._person_vetoes import in_idiom

    value = text[start:end]
    _, words = get_lac().analyse(text)
    cleaned = person_words(text, [Span(start, end, "PER")], words)
    if not cleaned or (cleaned[0].start, cleaned[0].end) != (start, end):
        return "cleaned"
    if person._is_place(value):
        return "place"
    if value in person._ROLE_WORDS:
        return "role_word"
    if value in person._not_names():
        return "not_names"
    if in_idiom(text, start, end):
        return "idiom"
    return "other"


def _shape(text: str, start: int, end: int) -> str:
    """A coarse description of a lost name (no text): surname class, length, jieba's tag, context."""
    from privacy.recognizers._person_odds import _RIGHT_CUE, _roles
    from privacy.recognizers._person_rules import _jieba_tables, surnames

    single, compound = surnames()
    value = text[start:end]
    tags, _, _ = _jieba_tables()
    kind = (
        "compound"
        if value[:2] in compound and len(value) >= 3
        else "surname"
        if value[0] in single
        else "given"
    )
    tag = tags.get(value) or "-"
    tag = "nr" if tag.startswith("nr") else "word" if tag != "-" else "-"
    left = (
        "bound"
        if start == 0 or not ("\u4e00" <= text[start - 1] <= "\u9fff")
        else ("role" if _roles().search(text, max(0, start - 8), start) else "han")
    )
    right = (
        "bound"
        if end == len(text) or not ("\u4e00" <= text[end] <= "\u9fff")
        else ("cue" if _RIGHT_CUE.match(text, end) else "han")
    )
    return f"{kind}/len{len(value)}/jieba:{tag}/L:{left}/R:{right}"


def classify(gold: tuple[int, int], probe: _Probe, final: list) -> str:
    """The bin of one lost name (see the module docstring)."""
    a, b = gold

    def overlaps(spans: set[tuple[int, int]] | list[tuple[int, int]]) -> bool:
        return any(x < b and a < y for x, y in spans)

    if overlaps([(h.start, h.end) for h in final if h.entity_type == "PERSON"]):
        return "wrong_span"
    if overlaps([(h.start, h.end) for h in final]):
        return "other_entity"
    stages = (
        ("dropped_detector", probe.output),
        ("dropped_person", probe.post_veto),
        ("veto", probe.pre_veto),
        ("odds_rejected", probe.candidates - probe.accepted),
        ("odds_vetoed", probe.posterior),
        ("rule_dropped", probe.rules),
        ("model_dropped", probe.model),
    )
    for name, spans in stages:
        if gold in spans:
            return name
    if any(overlaps(spans) for _, spans in stages):
        return "overlap_only"
    return "none"


def main(argv: list[str] | None = None) -> int:
    from benchmarks.pii_realtext import load_realtext
    from benchmarks.pii_score import load_file
    from privacy._detect import Detector

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.name_stages", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--split", choices=("dev", "heldout"), default="dev")
    parser.add_argument(
        "--file", type=Path, help="a labelled file of your own instead (as benchmarks.pii_score)"
    )
    parser.add_argument("--errors", action="store_true", help="print each lost name (the corpus: dev only)")
    args = parser.parse_args(argv)
    if args.errors and args.split != "dev" and args.file is None:
        parser.error("--errors prints sentences: dev only")
    sentences = load_file(args.file) if args.file is not None else load_realtext(split=args.split)
    detector = Detector()
    probe = _Probe()
    recognizer = detector.by_entity["PERSON"]
    probe.install(recognizer)
    try:
        counts, totals = _lost(sentences, detector, probe, errors=args.errors)
    finally:
        probe.uninstall(recognizer)
    _report(args.file or args.split, counts, totals)
    return 0


def _lost(sentences: list, detector: object, probe: _Probe, *, errors: bool) -> tuple[dict, Counter]:
    """Per group, the lost names by bin (and ``detail``: coarse shapes, service only); totals of gold and extras."""
    counts: dict[str, Counter] = defaultdict(Counter)
    totals: Counter = Counter()
    sentences_of: dict[str, set[str]] = defaultdict(set)
    detail: Counter = Counter()
    for sentence in sentences:
        probe.reset()
        final = detector.hits(sentence.text)
        reported = {(h.start, h.end) for h in final if h.entity_type == "PERSON"}
        groups = ["all", sentence.register] + (["service"] if sentence.register in _SERVICE else [])
        for start, end, entity in sentence.spans:
            if entity != "PERSON":
                continue
            for group in groups:
                totals[group, "gold"] += 1
            if (start, end) in reported:
                continue
            where = classify((start, end), probe, final)
            if where == "none":
                p = _posterior(sentence.text, start, end)
                where = next(label for low, label in _POSTERIOR_BANDS if p >= low)
            if sentence.register in _SERVICE:
                sentences_of[where].add(sentence.id)
                if where == "model_dropped":
                    detail["model_dropped: " + _model_reason(sentence.text, start, end)] += 1
                if where.startswith("none") or where == "odds_rejected":
                    detail[f"{where.split('_')[0]}: " + _shape(sentence.text, start, end)] += 1
            for group in groups:
                counts[group][where] += 1
            if errors:
                print(f"{where:<16} {sentence.id} {sentence.text[start:end]!r}\t{sentence.text!r}")
        golds = {(a, b) for a, b, e in sentence.spans if e == "PERSON"}
        for group in groups:
            totals[group, "extra"] += len(reported - golds)
    counts["sentences"] = Counter({key: len(value) for key, value in sentences_of.items()})
    counts["detail"] = detail
    return counts, totals


def _report(source: object, counts: dict, totals: Counter) -> None:
    labels = [*BINS[:-1], *(label for _, label in _POSTERIOR_BANDS)]
    order = ["all", "service", "news", "hotline", "form", "chat", "notice", "address"]
    print(f"{source}: lost names by stage (each sentence scanned alone)")
    print(
        f"{'group':<8} {'gold':>5} {'lost':>5} {'extra':>5}  " + " ".join(f"{label:>6.6}" for label in labels)
    )
    for group in order:
        if not totals[group, "gold"]:
            continue
        row = counts[group]
        print(
            f"{group:<8} {totals[group, 'gold']:5d} {sum(row.values()):5d} {totals[group, 'extra']:5d}  "
            + " ".join(f"{row[label]:6d}" for label in labels)
        )
    print("columns: " + ", ".join(labels))
    print(
        "service: sentences per bin: " + ", ".join(f"{k} {n}" for k, n in sorted(counts["sentences"].items()))
    )
    for key, n in sorted(counts["detail"].items()):
        print(f"  {n:3d}  {key}")


if __name__ == "__main__":
    sys.exit(main())
