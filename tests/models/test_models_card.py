"""The model card schema on its own: what vendors actually write in YAML."""

from __future__ import annotations

import pytest
import yaml

from models.card import CARD_FIELDS, CardInvalid, card_from_data, card_template
from sandbox.i18n import t
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


def test_keys_may_be_the_labels_the_errors_show() -> None:
    """A vendor writes the Chinese labels of the error messages (供应商名称…), or the English ones."""
    base = card()
    labels = {"vendor_name": "供应商名称", "vendor_uscc": "统一社会信用代码", "model_name": "模型名称",
              "model_version": "模型版本", "service_domain": "服务领域", "intended_use": "预期用途",
              "automated_decision": "自动化决策", "human_in_the_loop": "人工复核", "algorithm_type": "算法类型",
              "training_data": "训练数据说明", "input_features": "输入特征", "known_limitations": "已知局限",
              "risk_tier": "Risk tier"}
    written = {labels.get(key, key): value for key, value in base.items() if key != "contact"}
    written |= {"联系人": "张伟", "联系电话": "0571-88886666", "联系邮箱": "zhangwei@example.cn"}
    parsed = card_from_data(written)
    assert parsed.model_dump() == card_from_data(base).model_dump()
    nested = card_from_data({**base, "contact": {"姓名": "张伟", "手机": "0571-88886666", "E-mail": "a@b.cn"}})
    assert (nested.contact.name, nested.contact.phone, nested.contact.email) == ("张伟", "0571-88886666", "a@b.cn")


def test_two_keys_for_one_field_are_named() -> None:
    with pytest.raises(CardInvalid) as info:
        card_from_data({**card(), "模型名称": "另一个名字"}, file="card.yaml")
    assert [p["key"] for p in info.value.problems] == ["models.card.duplicate_field"]
    assert "“model_name”与“模型名称”是同一个字段" in info.value.render("zh")
    with pytest.raises(CardInvalid) as typo:                      # an unknown key is still an unknown key
        card_from_data({**card(), "模型名": "x"})
    assert {p["field"]: p["key"] for p in typo.value.problems} == {"模型名": "models.card.unknown_field"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_template_is_a_valid_card_naming_every_field(lang) -> None:
    text = card_template(lang=lang)
    parsed = card_from_data(yaml.safe_load(text))
    assert parsed.vendor_uscc and parsed.contact.email
    keys = set(yaml.safe_load(text))
    named = {field for field in CARD_FIELDS if field in keys or t(f"models.field.{field}", "zh") in keys}
    assert named == set(CARD_FIELDS)                              # every field shown, optional ones too


def test_text_copied_from_windows_or_a_web_page() -> None:
    """CRLF line ends anywhere and zero-width spaces in prose are copy noise, not a hidden-character attack."""
    parsed = card_from_data(card(intended_use="辅助\u200b初筛。\r\n人工复核\ufeff", known_limitations=["样本少\r尤其农村"]))
    assert parsed.intended_use == "辅助初筛。\n人工复核" and parsed.known_limitations == ["样本少\n尤其农村"]
    with pytest.raises(CardInvalid) as info:                      # a name or a column must match exactly
        card_from_data(card(model_name="eligibility\u200b", intended_use="辅助\u202e初筛"))
    assert {p["field"] for p in info.value.problems} == {"model_name", "intended_use"}
