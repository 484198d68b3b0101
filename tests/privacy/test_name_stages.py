"""Where the name recognizer loses a labelled name (benchmarks/name_stages.py): one bin per lost name."""

from __future__ import annotations

import pytest

from benchmarks.name_stages import main


def _rows(out: str) -> dict[str, list[int]]:
    return {
        line.split()[0]: [int(v) for v in line.split()[1:]]
        for line in out.splitlines()
        if line.split() and line.split()[0] in ("all", "service", "hotline")
    }


def test_every_lost_name_is_in_exactly_one_bin(tmp_path, capsys):
    from privacy.recognizers import _person_odds, person

    before = (person.brand, person.resolve_overlaps, _person_odds.odds_candidates)
    source = tmp_path / "hotline.txt"
    source.write_text(
        "来电人[王淑英|P]反映小区停水。\n"
        "[长江|P]今天又没来上班，电话也不接。\n"  # a word no stage proposes as a name
        "来电人[王淑|P]英反映小区停电。\n"  # labelled short on purpose: the name found is longer
        "他住在[杭州市西湖区文三路|P]100号。\n",  # labelled as a name on purpose: an address covers it
        encoding="utf-8",
    )
    assert main(["--file", str(source), "--errors"]) == 0
    out = capsys.readouterr().out
    gold, lost, _extra, *bins = _rows(out)["hotline"]
    assert (gold, lost) == (4, 3)
    assert sum(bins) == lost
    assert "wrong_span       hotline-3 '王淑'" in out
    assert "other_entity     hotline-4 " in out
    assert "none_p<0.002     hotline-2 '长江'" in out
    assert (person.brand, person.resolve_overlaps, _person_odds.odds_candidates) == before  # probes removed


def test_the_held_out_split_is_counted_never_printed():
    with pytest.raises(SystemExit):
        main(["--split", "heldout", "--errors"])
