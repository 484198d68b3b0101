"""Score the PII detector on anybody's labelled sentences: ``python -m benchmarks.pii_score FILE ...``.

For a reviewer who brings a held-out set this project has never seen. Each
``FILE`` is either

* a marked-up source like ``benchmarks/data/pii_realtext/src/<register>.txt``
  (one sentence per line, entities marked ``[text|TYPE]``, ``#`` comments; see
  :mod:`benchmarks.pii_realtext` for the types and the ``?``/``!`` check-character
  placeholders) — its register is the register named in the file name
  (``hotline.txt``, ``city_b_hotline.txt`` → hotline; otherwise the stem), or
* a compiled ``corpus.jsonl`` (objects with ``text``, ``spans`` and optionally
  ``register``).

Every sentence is scored (no dev/held-out split: the file is taken as one test
set). Exact character spans, per register and entity type, plus ``service``
(hotline, form, chat, notice) and ``all``. ``--errors`` also prints each missed
and each extra span — use it only on text you are allowed to tune on.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmarks.pii_realtext import REGISTERS, Sentence, _compile_line

__all__ = ["load_file", "main"]


def _register(path: Path) -> str:
    return next((name for name in REGISTERS if name in path.stem), path.stem)


def load_file(path: Path) -> list[Sentence]:
    """The labelled sentences of one marked-up ``.txt`` source or one ``.jsonl`` corpus."""
    sentences: list[Sentence] = []
    if path.suffix == ".jsonl":
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                item = json.loads(line)
                sentences.append(Sentence(str(item.get("id", f"{path.stem}-{number}")),
                                          str(item.get("register", _register(path))), "test", item["text"],
                                          [tuple(s) for s in item["spans"]]))
        return sentences
    problems = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        text, spans, errors = _compile_line(line)
        problems += [f"{path}:{number}: {error}" for error in errors]
        sentences.append(Sentence(f"{path.stem}-{number}", _register(path), "test", text, spans))
    if problems:
        raise SystemExit("\n".join(problems))
    return sentences


def main(argv: list[str] | None = None) -> int:
    from benchmarks.bench_pii import _score
    from privacy.scanning import scan_texts

    parser = argparse.ArgumentParser(prog="python -m benchmarks.pii_score", description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--errors", action="store_true", help="print every missed and extra span")
    args = parser.parse_args(argv)
    sentences = [s for path in args.files for s in load_file(path)]
    found = scan_texts([s.text for s in sentences])  # one scan serves the scores and the error list
    scores = _score(sentences, {(f.row, f.start, f.end, f.entity_type) for f in found})
    print(f"{len(sentences)} sentences, {sum(len(s.spans) for s in sentences)} labelled spans")
    print(f"{'group':<10} {'entity':<18} {'recall':>7} {'precis.':>7} {'tp':>5} {'fp':>4} {'fn':>4}")
    order = {"all": 0, "service": 1}
    for (group, entity), score in sorted(scores.items(), key=lambda kv: (kv[0][1], order.get(kv[0][0], 2), kv[0][0])):
        print(f"{group:<10} {entity:<18} {score.recall:7.3f} {score.precision:7.3f} "
              f"{score.tp:5d} {score.fp:4d} {score.fn:4d}")
    if args.errors:
        predicted: dict[int, set[tuple[int, int, str]]] = {}
        for f in found:
            predicted.setdefault(f.row, set()).add((f.start, f.end, f.entity_type))
        for index, sentence in enumerate(sentences):
            gold = set(sentence.spans)
            got = predicted.get(index, set())
            for start, end, entity in sorted(gold - got):
                print(f"MISS  {sentence.id} {entity} {sentence.text[start:end]!r}\t{sentence.text!r}")
            for start, end, entity in sorted(got - gold):
                print(f"EXTRA {sentence.id} {entity} {sentence.text[start:end]!r}\t{sentence.text!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
