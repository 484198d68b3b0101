"""The model card schema on its own: what vendors actually write in YAML."""

from __future__ import annotations

import pytest

from models.card import CardInvalid, card_from_data
from tests.models.models_testkit import card


def test_lenient_where_people_write_naturally() -> None:
    parsed = card_from_data(card(model_version=1.0, automated_decision="是", human_in_the_loop="否",
                                 service_domain="12345 热线", risk_tier="3", filing_number="",
                                 input_features="年龄、家庭人口，月收入", vendor_uscc="91330110ma2h0qxj7e"))
    assert parsed.model_version == "1.0" and parsed.automated_decision is True and parsed.human_in_the_loop is False
    assert parsed.service_domain == "12345热线" and parsed.risk_tier == "III" and parsed.filing_number is None
    assert parsed.input_features == ["年龄", "家庭人口", "月收入"] and parsed.vendor_uscc == "91330110MA2H0QXJ7E"


def test_strict_where_it_matters() -> None:
    with pytest.raises(CardInvalid) as info:
        card_from_data(card(model_name="bad/name", model_version="1 0", input_features=[], unknown="x",
                            contact={"name": "张伟", "phone": "abc", "email": "no-at"}, algorithm_type="推荐类"),
                       file="card.yaml")
    fields = {p["field"]: p["key"] for p in info.value.problems}
    assert fields == {
        "model_name": "models.card.model_name", "model_version": "models.card.model_version",
        "algorithm_type": "models.card.choice", "input_features": "models.card.list_too_short",
        "contact.phone": "models.card.phone", "contact.email": "models.card.email",
        "unknown": "models.card.unknown_field",
    }
    assert "- 联系人（contact.phone）：电话号码格式无效。" in info.value.render("zh")
    with pytest.raises(Exception) as not_mapping:
        card_from_data(["a", "b"])
    assert not_mapping.value.key == "models.card_not_mapping"
