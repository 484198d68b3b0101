"""The batched column scan finds exactly what a plain per-value scan finds, on a messy table.

The fast paths (plain digit strings validated without the run scanner, the
vectorised "cannot hold anything" pre-filter, the vectorised blank-cell
filter) must never change a finding: the reference below is the per-value
scan the profiler used before them (``fullmatch`` one value at a time, every
other value through ``findings_many``).
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from privacy._detect import get_detector
from privacy._profile import _may_hold, _strings, findings_per_unique, profile_column, scan_frame
from privacy.checksums import id_card_check_char, luhn_check_digit
from privacy.recognizers._base import NumberRecognizer
from privacy.recognizers._numbers import fullmatch_many
from tests.privacy.pii_gen import make_unionpay, wrong_id_check

FULL = str.maketrans("0123456789", "０１２３４５６７８９")


def _id(rng: random.Random, region: str = "330106", year: int | None = None) -> str:
    body = f"{region}{year or rng.randint(1930, 2015)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + id_card_check_char(body)


def _messy_values(rng: random.Random) -> list[str]:
    ids = [_id(rng) for _ in range(40)] + [_id(rng, "110101"), _id(rng, "440305"), _id(rng, "330102")]
    x_ids = []
    while len(x_ids) < 3:  # IDs whose check character is X, written with a lower-case x too
        candidate = _id(rng)
        if candidate.endswith("X"):
            x_ids += [candidate, candidate[:-1] + "x"]
    phones = [f"1{rng.choice('3456789')}{rng.randint(0, 10**9 - 1):09d}" for _ in range(40)]
    cards = [make_unionpay(rng, length) for length in (16, 17, 18, 19) for _ in range(3)]
    # An 18-digit Luhn number shaped like an ID with a wrong check digit: a card only next to a card word.
    shaped = None
    while shaped is None:
        body = f"62220219900101{rng.randint(0, 999):03d}"
        if luhn_check_digit(body) != id_card_check_char(body):
            shaped = body + luhn_check_digit(body)
    messy = [
        f"  {ids[0]} ", ids[1][:6] + " " + ids[1][6:14] + " " + ids[1][14:], ids[2].translate(FULL),
        "3301 1219 5304 2897 13", wrong_id_check(ids[3]), ids[4][:15], ids[5][:17],
        "+86 " + phones[0], "0086" + phones[1], "(+86)" + phones[2], phones[3][:3] + "-" + phones[3][3:7] + "-" + phones[3][7:],
        "0571-88234567", "057188234567", "0571-88234567转123", "010 6552 9988", "12345678901", "1" * 11,
        "电话" + phones[4], phones[5] + "（本人）", "身份证" + ids[6], "卡号" + shaped, shaped,
        cards[0][:4] + " " + cards[0][4:8] + " " + cards[0][8:12] + " " + cards[0][12:], cards[1].translate(FULL),
        "不详", "无", "", "   ", "N/A", "unknown", "::1", "10.0.0.1", "a.b@example.cn", "E12345678", "浙A12345",
        "91330106MA2H0Y1X2L", "12", "12345", "123456", "1234567", "12.5", "0", "R0010000001", "SA0000042",
        "张伟", "王秀英", "李总", "杭州市西湖区文三路90号3幢2单元401室", "请回电" + phones[6] + "，来电人刘洋",
        "3301061990010112345", "330106199001011234", "0" * 18, "9" * 19, "1234567890123456789",
        "Zhang Wei", "Mr. Wang", "ZHANG/WEI 13912345678", "3-2-301", "P_3fa9c0d1", "330106********1234",
    ]
    return ids + x_ids + phones + cards + messy


def _reference(name: str, uniques: np.ndarray, kind: str, entity: str | None, thorough: bool
               ) -> tuple[list, np.ndarray]:
    """The profiler's per-value scan before batching (one ``fullmatch`` per value, no pre-filter)."""
    from privacy._findings import Finding
    from privacy._profile import _card_shaped, _id_shaped, name_hint
    from privacy.recognizers import ENTITIES, Hit

    detector = get_detector()
    per_unique: list[list[Finding]] = [[] for _ in range(len(uniques))]
    validated = np.zeros(len(uniques), dtype=bool)
    if kind == "none" and not thorough:
        return per_unique, validated
    recognizer = detector.by_entity[entity] if entity else None
    unresolved = []
    for k, value in enumerate(uniques):
        value = str(value)
        verdict = recognizer.fullmatch(value) if recognizer is not None else None
        if verdict is None and entity == "CN_RESIDENT_ID":
            verdict = _id_shaped(value)  # a mistyped ID in an ID column
        elif verdict is None and entity == "BANK_CARD":
            verdict = _card_shaped(value)  # a mistyped card in a card column
        if verdict is None and recognizer is not None and name_hint(name) == entity:
            verdict = recognizer.bare(value)  # an account with no card check in a 卡号 column
        if verdict is None:
            unresolved.append(k)
            continue
        stripped = value.strip()
        start = value.index(stripped)
        score = verdict.score if verdict.score is not None else 0.9
        if name_hint(name) == entity:
            score = min(1.0, score + 0.35)
        validated[k] = True
        hit = Hit(str(entity), 0, len(stripped), verdict.score or 0.9, verdict)
        per_unique[k] = [Finding(entity_type=str(entity), start=start, end=start + len(stripped),
                                 score=max(score, 0.5), text=stripped, explanation=detector.explanation(hit),
                                 column=name)]
    scanned = detector.findings_many([str(uniques[k]) for k in unresolved], entities=ENTITIES, column=name)
    for k, found in zip(unresolved, scanned, strict=True):
        per_unique[k] = found
    return per_unique, validated


@pytest.fixture(scope="module")
def values() -> list[str]:
    return _messy_values(random.Random(20261206))


def test_fullmatch_many_equals_fullmatch_value_by_value(values: list[str]) -> None:
    detector = get_detector()
    numbers = [r for r in detector.recognizers if isinstance(r, NumberRecognizer)]
    assert {r.ENTITY for r in numbers} >= {"CN_RESIDENT_ID", "PHONE_NUMBER", "BANK_CARD"}
    for recognizer in numbers:
        batched = fullmatch_many(recognizer, values)
        assert batched == [recognizer.fullmatch(v) for v in values], recognizer.ENTITY
    ids = fullmatch_many(detector.by_entity["CN_RESIDENT_ID"], values)
    assert sum(v is not None for v in ids) >= 45  # the plain path really validates (and rejects) values
    assert ids[values.index("1" * 11)] is None


@pytest.mark.parametrize("entity", ["CN_RESIDENT_ID", "PHONE_NUMBER", "BANK_CARD", None])
@pytest.mark.parametrize("thorough", [False, True])
def test_findings_per_unique_equal_the_per_value_scan(values: list[str], entity: str | None, thorough: bool,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import privacy._profile

    monkeypatch.setattr(privacy._profile, "_CHUNK", 7)  # many chunks: indices must carry across them
    uniques = np.asarray(list(dict.fromkeys(values)), dtype=object)
    name = {"CN_RESIDENT_ID": "身份证号", "PHONE_NUMBER": "联系电话", "BANK_CARD": "卡号", None: "备注"}[entity]
    kind = "identifier" if entity else "free_text"
    got = findings_per_unique(name, uniques, kind, entity, thorough=thorough)
    want = _reference(name, uniques, kind, entity, thorough)
    assert got[0] == want[0]
    assert got[1].tolist() == want[1].tolist()
    assert sum(1 for f in got[0] if f) > len(uniques) // 3  # findings exist: the comparison is not vacuous


def test_prefilter_skips_only_values_without_findings(values: list[str]) -> None:
    detector = get_detector()
    keep = _may_hold(values)
    skipped = [v for v, k in zip(values, keep, strict=True) if not k]
    assert {"N/A", "unknown", "12", "12345"} <= set(skipped)
    assert "123456" not in skipped and "::1" not in skipped and "张伟" not in skipped
    for value in skipped:
        assert detector.findings(value) == [], value


def test_scan_frame_equals_the_per_value_scan_on_a_messy_table(values: list[str]) -> None:
    rng = random.Random(7)
    n = 400
    frame = pd.DataFrame({
        "身份证号": [rng.choice(values[:49]) if rng.random() < 0.9 else rng.choice(values) for _ in range(n)],
        "联系电话": [rng.choice(values[49:89]) if rng.random() < 0.9 else rng.choice(values) for _ in range(n)],
        "备注": [rng.choice(values) for _ in range(n)],
        "编号": [f"R{i:07d}" for i in range(n)],
        "金额": [rng.choice([None, 1.5, 12, "12.5", " ", "无"]) for _ in range(n)],
    })
    for thorough in (False, True):
        scan = scan_frame(frame, thorough=thorough)
        expected = []
        for name in frame.columns:
            profile = profile_column(frame, name, thorough=thorough)
            per_unique, validated = _reference(name, profile.uniques, profile.kind, profile.entity, thorough)
            assert profile.per_unique == per_unique, name
            assert profile.validated.tolist() == validated.tolist(), name
            for position, code in zip(profile.positions, profile.codes, strict=True):
                expected += [(int(position), name, f.entity_type, f.start, f.end, f.text, f.explanation)
                             for f in per_unique[code]]
        got = [(f.row, f.column, f.entity_type, f.start, f.end, f.text, f.explanation) for f in scan.findings]
        assert got == expected
        assert len(got) > n  # both identifier columns are found


def test_blank_cells_dropped_as_before() -> None:
    def old(series: pd.Series) -> pd.Series:
        series = series.dropna()
        if series.dtype != object:
            series = series.astype(str)
        return series[series.map(lambda v: isinstance(v, str) and bool(v.strip()))] if len(series) else series

    cases = [
        pd.Series(["a", " ", "", None, "\u3000", "b "]),
        pd.Series(["a", " ", None], dtype="str"),
        pd.Series([1, None, 3.5, "x", " ", b"y"], dtype=object),
        pd.Series([1.0, np.nan, 2.5]),
        pd.Series([], dtype=object),
    ]
    for case in cases:
        got, want = _strings(case), old(case)
        assert got.index.tolist() == want.index.tolist()
        assert [str(v) for v in got] == [str(v) for v in want]


def test_texts_without_chinese_characters_hold_no_names(values: list[str]) -> None:
    """Without a CJK character, only a text with an English name cue (Name: …, Mr. …) can hold a name."""
    from privacy._detect import _CJK, ENGLISH_CUE

    detector = get_detector()
    person = detector.by_entity["PERSON"]
    latin = [v for v in values if _CJK.search(v) is None]
    assert len(latin) > 100
    assert all(person.find(v) == [] for v in latin if ENGLISH_CUE.search(v) is None)
    mixed = values[::-1]
    assert detector.findings_many(mixed) == [detector.findings(v, row=i) for i, v in enumerate(mixed)]


def test_without_explanations_the_same_findings(values: list[str]) -> None:
    """De-identification skips rendering explanations; everything else is the scan's."""
    from dataclasses import replace

    uniques = np.asarray(list(dict.fromkeys(values)), dtype=object)
    for entity in ("CN_RESIDENT_ID", None):
        full, valid = findings_per_unique("证件", uniques, "identifier" if entity else "free_text", entity, thorough=True)
        bare, valid_bare = findings_per_unique("证件", uniques, "identifier" if entity else "free_text", entity,
                                               thorough=True, explain=False)
        assert bare == [[replace(f, explanation="") for f in found] for found in full]
        assert valid_bare.tolist() == valid.tolist()
        assert any(f.explanation for found in full for f in found)
