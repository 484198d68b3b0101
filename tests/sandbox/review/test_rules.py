"""Pure rules: risk tier, quorum, ⅔ majority, follow-up dates."""

from __future__ import annotations

from datetime import date

import pytest

from sandbox.errors import InputError, RuleViolation
from sandbox.review._rules import check_majority, check_quorum, conflict_with, follow_up_date, risk_tier

LOW = {"rights": 0, "reversibility": 0, "scale": 1, "autonomy": 0, "data_sensitivity": 0, "vulnerable": 0}


def test_low_impact_is_tier_one_but_eligibility_domains_are_at_least_three() -> None:
    assert risk_tier(LOW, service_domain="12345热线", automated_decision=False)["tier"] == "I"
    for domain in ("社会救助", "养老"):
        out = risk_tier(LOW, service_domain=domain, automated_decision=True)
        assert out["tier"] == "III" and not out["expert_rereview"]


def test_expert_list_is_tier_four() -> None:
    assert risk_tier(LOW, service_domain="基层治理", automated_decision=False)["tier"] == "IV"
    high = {**LOW, "autonomy": 3, "rights": 3}
    assert risk_tier(high, service_domain="其他", automated_decision=True)["expert_rereview"]
    assert risk_tier({**LOW, "public_opinion": True}, service_domain="其他", automated_decision=False)["tier"] == "IV"


def test_score_thresholds_and_mitigation_reduce_independently_computed() -> None:
    answers = {"rights": 3, "reversibility": 3, "scale": 2, "autonomy": 2, "data_sensitivity": 2, "vulnerable": 2}
    raw = 14  # 14/18 = 0.78 → IV
    assert risk_tier(answers, service_domain="其他", automated_decision=False)["tier"] == "IV"
    mitigated = risk_tier({**answers, "mitigation": 3}, service_domain="其他", automated_decision=False)
    assert mitigated["score"] == pytest.approx(raw * 0.7) and mitigated["tier"] == "III"  # 9.8/18 = 0.54


def test_questionnaire_values_are_validated() -> None:
    with pytest.raises(InputError) as err:
        risk_tier({**LOW, "scale": 5}, service_domain="其他", automated_decision=False)
    assert err.value.key == "review.bad_questionnaire"


def _m(cat: str) -> dict:
    return {"category": cat}


def test_quorum_needs_five_and_three_categories() -> None:
    with pytest.raises(RuleViolation) as err:
        check_quorum([_m("科技"), _m("伦理"), _m("法律"), _m("其他")])
    assert err.value.key == "review.rule_quorum_size"
    with pytest.raises(RuleViolation) as err:
        check_quorum([_m("科技")] * 5)
    assert err.value.key == "review.rule_quorum_categories"
    check_quorum([_m("科技"), _m("伦理"), _m("法律"), _m("其他"), _m("其他")])


@pytest.mark.parametrize(("present", "votes_for", "ok"), [(7, 4, False), (7, 5, True), (6, 4, True), (5, 3, False),
                                                           (5, 4, True), (9, 6, True)])
def test_two_thirds(present: int, votes_for: int, ok: bool) -> None:
    votes = {f"u{i}": ("批准" if i < votes_for else "不予批准") for i in range(present)}
    if ok:
        assert check_majority("批准", votes, present)["for"] == votes_for
    else:
        with pytest.raises(RuleViolation) as err:
            check_majority("批准", votes, present)
        assert err.value.key == "review.rule_two_thirds"
        assert err.value.render("en").startswith(f'"批准" has only {votes_for} votes')


def test_conflicts_by_organisation_or_declared_interest() -> None:
    assert conflict_with({"affiliation": "A公司", "interests": []}, "A公司", "X")
    assert conflict_with({"affiliation": "", "interests": ["持有A公司股份"]}, "A公司", "X")
    assert conflict_with({"affiliation": "大学", "interests": []}, "A公司", "X") is None


def test_follow_up_by_tier_never_beyond_twelve_months() -> None:
    day = date(2026, 8, 31)
    assert follow_up_date(day, "I") == date(2027, 8, 31)
    assert follow_up_date(day, "III") == date(2027, 2, 28)
    assert follow_up_date(day, "IV") == date(2026, 11, 30)
