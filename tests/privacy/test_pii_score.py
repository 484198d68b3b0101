"""The scorer a reviewer runs on their own labelled sentences (benchmarks/pii_score.py)."""

from __future__ import annotations

import json

from benchmarks.pii_score import load_file, main


def test_a_marked_up_file_and_a_jsonl_file_are_scored_by_register(tmp_path, capsys):
    source = tmp_path / "city_b_hotline.txt"
    source.write_text("# 测试\n[王淑英|P]的电话是[13812345678|TEL]\n黄山路的[李家村|-]没有人名\n", encoding="utf-8")
    sentences = load_file(source)
    assert [s.register for s in sentences] == ["hotline", "hotline"]
    assert sentences[0].spans == [(0, 3, "PERSON"), (7, 18, "PHONE_NUMBER")]
    corpus = tmp_path / "mine.jsonl"
    corpus.write_text(json.dumps({"text": "联系人：唐琳", "spans": [[4, 6, "PERSON"]], "register": "form"},
                                 ensure_ascii=False) + "\n", encoding="utf-8")
    assert main([str(source), str(corpus), "--errors"]) == 0
    out = capsys.readouterr().out
    assert "3 sentences, 3 labelled spans" in out
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in out.splitlines()[2:] if line[:1].isalpha()}
    _recall, _precision, tp, _fp, fn = rows[("service", "PERSON")]
    assert int(tp) + int(fn) == 2  # 王淑英 and 唐琳, whatever the detector finds
    assert out.count("MISS ") == sum(int(row[4]) for key, row in rows.items() if key[0] == "all")
    assert out.count("EXTRA ") == sum(int(row[3]) for key, row in rows.items() if key[0] == "all")
    assert ("hotline", "PHONE_NUMBER") in rows and ("form", "PERSON") in rows


def test_a_labelling_mistake_names_the_file_and_line(tmp_path):
    source = tmp_path / "notice.txt"
    source.write_text("身份证号[330106195508123!|ID]\n[王芳|XYZ]\n", encoding="utf-8")
    try:
        load_file(source)
    except SystemExit as stop:
        message = str(stop)
    else:
        raise AssertionError("a bad label was accepted")
    assert f"{source}:1:" in message and f"{source}:2: unknown type XYZ" in message


def test_a_legacy_15_digit_id_is_checked_by_its_date_and_region(tmp_path):
    good = tmp_path / "form.txt"
    good.write_text("原身份证号（15位）：[370283550114102|ID]\n", encoding="utf-8")
    assert load_file(good)[0].spans == [(11, 26, "CN_RESIDENT_ID")]
    bad = tmp_path / "hotline.txt"
    bad.write_text("老身份证[370283551314102|ID]\n", encoding="utf-8")  # month 13
    try:
        load_file(bad)
    except SystemExit as stop:
        assert "date or region" in str(stop)
    else:
        raise AssertionError("an impossible legacy ID was accepted")
