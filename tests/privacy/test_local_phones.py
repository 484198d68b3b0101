"""Landlines as a city's own forms write them: no area code (联系电话：86543210), and how they are masked.

Before, a 7–8 digit number after 电话/座机 was no personal information (libphonenumber needs the area code), so
``sandbox deid`` wrote home phones back; and a policy's mobile mask (keep 3 + 4) would hide one digit of eight.
"""

from __future__ import annotations

import pandas as pd
import pytest

from privacy.deid import deidentify_frame, load_policy
from privacy.deid._operators import phone_mask
from privacy.scanning import scan_table, scan_text


def _phones(text: str) -> list[str]:
    return [text[f.start : f.end] for f in scan_text(text) if f.entity_type == "PHONE_NUMBER"]


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("联系电话：86543210", "86543210"),
        ("座机 8654 3210，白天有人", "8654 3210"),
        ("宅电 6543210，晚上打", "6543210"),
        ("请联系王老师，电话：8765-4321", "8765-4321"),
        ("香港手机 9123 4567", "9123 4567"),
    ],
)
def test_a_local_number_after_a_phone_label(text: str, phone: str) -> None:
    assert _phones(text) == [phone]


@pytest.mark.parametrize(
    "text",
    [
        "热线电话12345",
        "拨打110报警",
        "客服电话95588",
        "电话：88888888",
        "编号 86543210",
        "电话费86543210元",
        "门牌 86543210",
    ],
)
def test_service_numbers_and_unlabelled_runs_stay_unreported(text: str) -> None:
    assert _phones(text) == []


def test_a_column_of_local_numbers_is_a_phone_column_and_masked_to_half(people_home) -> None:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame(
        {"联系电话": ["86543210", "8765-4321", "13905718822"], "金额": ["86543210", "12345678", "5000"]}
    )
    columns = {c.column: c for c in scan_table(frame).columns}
    assert (columns["联系电话"].entity_type, columns["联系电话"].hit_cells) == ("PHONE_NUMBER", 3)
    assert columns["金额"].hit_cells == 0  # no label, no phone
    out = deidentify_frame(frame, load_policy("default")).frame
    assert list(out["联系电话"]) == ["86****10", "87*****21", "139****8822"]
    assert list(out["金额"]) == ["86543210", "12345678", "5000"]


def test_phone_mask_hides_at_least_four_digits() -> None:
    assert phone_mask("13905718822", keep_start=3, keep_end=4) == "139****8822"
    assert phone_mask("6543210", keep_start=3, keep_end=4) == "6****10"
    assert phone_mask("0571-86543210", keep_start=3, keep_end=4) == "057******3210"
