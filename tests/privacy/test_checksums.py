"""Check characters against published examples and independent recomputation."""

from __future__ import annotations

import pytest
from faker import Faker

from privacy.checksums import (
    id_card_birth_date,
    id_card_check_char,
    is_valid_id_card_checksum,
    is_valid_luhn,
    is_valid_uscc,
    luhn_check_digit,
    uscc_check_char,
)


def test_gb11643_published_example() -> None:
    # GB 11643-1999 annex example: 11010519491231002X
    assert id_card_check_char("11010519491231002") == "X"
    assert is_valid_id_card_checksum("11010519491231002X")
    assert is_valid_id_card_checksum("11010519491231002x")
    assert not is_valid_id_card_checksum("110105194912310021")


def test_gb11643_by_hand() -> None:
    # weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2; 4403011990010112?:
    digits = "44030119900101123"
    total = sum(int(d) * w for d, w in zip(digits, [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], strict=True))
    assert id_card_check_char(digits) == "10X98765432"[total % 11]


def test_faker_ids_all_valid() -> None:
    fake = Faker("zh_CN")
    fake.seed_instance(7)
    for _ in range(500):
        number = fake.ssn()
        assert is_valid_id_card_checksum(number), number
        assert id_card_birth_date(number) is not None


def test_birth_dates() -> None:
    assert str(id_card_birth_date("11010519491231002X")) == "1949-12-31"
    assert id_card_birth_date("110105194902300021") is None  # 30 February
    assert str(id_card_birth_date("110105491231002")) == "1949-12-31"  # 15-digit legacy


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L", "91330110MA2H0QXJ7E"])
def test_uscc_valid(code: str) -> None:
    assert is_valid_uscc(code)


def test_uscc_invalid_and_hand_worked() -> None:
    assert not is_valid_uscc("91350100M000100Y44")
    assert not is_valid_uscc("91350100M000100YI3")  # I is not in the alphabet
    assert not is_valid_uscc("9135")
    # hand-worked: 91350100M000100Y4 → weighted sum mod 31
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(alphabet.index(c) * w for c, w in zip("91350100M000100Y4", weights, strict=True))
    assert uscc_check_char("91350100M000100Y4") == alphabet[(31 - total % 31) % 31] == "3"


def test_luhn() -> None:
    assert is_valid_luhn("4111111111111111")
    assert is_valid_luhn("6222021234567890127") is (luhn_check_digit("622202123456789012") == "7")
    assert luhn_check_digit("7992739871") == "3"  # the Wikipedia example
    assert not is_valid_luhn("79927398710")
    assert not is_valid_luhn("12a4")
