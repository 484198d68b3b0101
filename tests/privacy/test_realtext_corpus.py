"""The hand-written real-text corpus: spans match the text, identifiers are valid, JSONL = sources.

The corpus figures are checked against modest floors measured on the held-out split (never tuned
on); the targets themselves are reported by ``make bench`` (benchmarks/bench_pii.py).
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from benchmarks.pii_realtext import REGISTERS, SOURCES, build, load_realtext
from privacy.checksums import is_valid_id_card_checksum, is_valid_luhn
from privacy.recognizers._numbers import normalise_digits


@pytest.fixture(scope="module")
def corpus() -> list:
    return load_realtext()


def test_compiled_corpus_equals_its_sources(corpus: list) -> None:
    built, problems = build()
    assert problems == []
    assert [(s.id, s.register, s.split, s.text, s.spans) for s in built] == [
        (s.id, s.register, s.split, s.text, s.spans) for s in corpus]


def test_spans_are_inside_the_text_and_never_overlap(corpus: list) -> None:
    for sentence in corpus:
        previous_end = 0
        for start, end, entity in sorted(sentence.spans):
            assert 0 <= start < end <= len(sentence.text), sentence.id
            assert start >= previous_end, sentence.id
            value = sentence.text[start:end]
            assert value == value.strip(), (sentence.id, value)
            if entity in ("ADDRESS", "PERSON"):
                assert not value.startswith(("址", "：", ":", "名")), (sentence.id, value)
            previous_end = end


def test_identifiers_have_valid_check_characters(corpus: list) -> None:
    for sentence in corpus:
        for start, end, entity in sentence.spans:
            digits = normalise_digits(sentence.text[start:end])
            if entity == "CN_RESIDENT_ID":  # the 15-digit legacy form has no check character
                assert len(digits) == 15 or is_valid_id_card_checksum(digits), sentence.id
            if entity == "BANK_CARD":
                assert is_valid_luhn(digits), sentence.id


def test_size_registers_and_honest_split(corpus: list) -> None:
    assert len(corpus) >= 400
    per_register = Counter(s.register for s in corpus)
    assert set(per_register) == set(REGISTERS) and min(per_register.values()) >= 60
    # Every third sentence of each register's own file is held out; the dev-only batches (src/dev/) are all dev.
    own = {r: sum(1 for line in (SOURCES / f"{r}.txt").read_text(encoding="utf-8").splitlines()
                  if line.strip() and not line.startswith("#")) for r in REGISTERS}
    for s in corpus:
        index = int(s.id.rsplit("-", 1)[1])
        assert s.split == ("heldout" if index <= own[s.register] and index % 3 == 0 else "dev"), s.id
    main = [s for s in corpus if int(s.id.rsplit("-", 1)[1]) <= own[s.register]]
    assert 0.3 <= sum(s.split == "heldout" for s in main) / len(main) <= 0.36
    kinds = Counter(e for s in corpus for *_, e in s.spans)
    assert kinds["PERSON"] >= 300 and kinds["CN_RESIDENT_ID"] >= 30 and kinds["PHONE_NUMBER"] >= 60
    assert kinds["BANK_CARD"] >= 20


def test_heldout_figures_stay_above_modest_floors() -> None:
    from benchmarks.bench_pii import realtext_scores

    scores = realtext_scores(load_realtext(split="heldout"))
    person = scores[("all", "PERSON")]
    # Recall floor lowered from 0.85 to 0.827 (= measured 0.847 - 0.02) when the corpus grew to
    # 1,002 sentences with harder text (session 4); raised by the names helper to 0.88 / 0.90
    # (measured R 0.915 P 0.940 on the same 1,002 sentences, minus ~0.035 for batches still to come).
    # Session 5: 0.89 / 0.91 (measured R 0.924 P 0.945 on 2,330 sentences after the names helper; the
    # session-start code measured R 0.902 P 0.930 on the same sentences). Session 6: 0.90 / 0.92
    # (measured R 0.929 P 0.950 after the names helper's class fixes; ~0.03 margin as before).
    assert person.recall >= 0.90 and person.precision >= 0.92
    # Phone recall floor was lowered to 0.93 when corpus-c (session 5) added 12345 speech transcripts
    # with phones read out in Chinese digits (幺三八 零七幺六…); back to 0.95 after the number scanner
    # learned spoken digits from the dev split (held-out then 96 of 97, P 0.99). Passports of other
    # countries after 护照 (learned on dev): held-out 4 of 4.
    floors = {"CN_RESIDENT_ID": 0.95, "PHONE_NUMBER": 0.95, "BANK_CARD": 0.95, "PASSPORT": 0.75}
    for entity, recall in floors.items():
        assert scores[("all", entity)].recall >= recall and scores[("all", entity)].precision >= 0.95, entity


def test_a_line_break_outside_a_mark_keeps_the_spans_on_their_text() -> None:
    from benchmarks.pii_realtext import _compile_line

    text, spans, errors = _compile_line("名单：\\n[王五|P]、[赵六|P]\\t户主\\n联系电话[13805710001|TEL]")
    assert errors == [] and "\\" not in text and "\t户主\n" in text
    assert [text[start:end] for start, end, _ in spans] == ["王五", "赵六", "13805710001"]


def test_the_address_register_measures_address_recall_and_precision_in_both_splits(corpus: list) -> None:
    register = [s for s in corpus if s.register == "address"]
    assert len(register) >= 180
    for split in ("dev", "heldout"):
        part = [s for s in register if s.split == split]
        addresses = sum(entity == "ADDRESS" for s in part for *_, entity in s.spans)
        without = sum(not any(entity == "ADDRESS" for *_, entity in s.spans) for s in part)
        # enough addresses for a recall, and about a third of the lines with place words that are
        # not addresses (a city or district alone, a road without a number, a landmark) for a precision
        assert addresses >= 20 and 0.25 <= without / len(part) <= 0.45, (split, addresses, without)


def test_address_spans_follow_the_convention(corpus: list) -> None:
    """From the highest administrative unit written to the most specific one; never a bare
    administrative area, never the label before it or the 旁边/对面 description after it."""
    for sentence in corpus:
        for start, end, entity in sentence.spans:
            if entity != "ADDRESS":
                continue
            value = sentence.text[start:end]
            assert not value.startswith(("住", "家住", "地址", "在", "位于")), (sentence.id, value)
            assert not value.endswith(("旁边", "对面", "附近", "后面", "门口", "东侧", "西侧", "南侧", "北侧",
                                       "省", "市", "县", "旗", "街道", "乡", "镇", "路", "街", "，", "。")), (
                sentence.id, value)
            # a compound's 小区 / 三区 / D区 ends in 区; a district alone is not an address
            assert not re.search(r"[^小一二三四五六七八九十东西南北中A-Za-z0-9０-９]区$", value), (sentence.id, value)


def test_a_phone_read_out_digit_by_digit_is_validated_as_spoken() -> None:
    from benchmarks.pii_realtext import _compile_line

    text, spans, errors = _compile_line("电话[幺三八 零五七幺 二三四五|TEL]，手机[一三九0871 5526|TEL]")
    assert errors == [] and [text[start:end] for start, end, _ in spans] == ["幺三八 零五七幺 二三四五", "一三九0871 5526"]
    assert _compile_line("电话[幺三八 零五七幺 二三四|TEL]")[2]  # one digit short: not a valid number
