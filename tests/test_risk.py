import re

from analysis.risk import RiskSignals, assess_risk, sensitive_terms_in
from reports.formatting import reason_zh


def test_a_single_mild_report_is_blue():
    risk = assess_risk(RiskSignals(documents=1, sources=1, negativity=0.55))
    assert risk.level == "blue"
    assert risk.level_name == "蓝"


def test_widely_reposted_negative_central_media_story_is_red_with_reasons():
    risk = assess_risk(
        RiskSignals(
            documents=40,
            sources=15,
            negativity=0.8,
            documents_last_24h=12,
            best_tier=1,
            sensitive_terms=("辱骂", "停职"),
            categories=("rudeness",),
        )
    )
    assert risk.level == "red"
    assert risk.score == sum(int(r.rsplit("+", 1)[1].rstrip(")")) for r in risk.reasons)
    assert any("central media" in reason for reason in risk.reasons)
    assert any("40 reports from 15 sources" in reason for reason in risk.reasons)


def test_levels_rise_with_spread():
    levels = [
        assess_risk(RiskSignals(documents=n, sources=n, negativity=0.7, best_tier=2)).level
        for n in (1, 4, 10)
    ]
    assert levels == ["yellow", "yellow", "orange"]


def test_sensitive_terms_found_in_order_of_the_lexicon():
    assert sensitive_terms_in("接线员辱骂市民，涉事人员已停职") == ("辱骂", "停职")


def test_social_reach_raises_the_level_with_its_reason():
    quiet = RiskSignals(documents=3, sources=2, negativity=0.7)
    viral = RiskSignals(documents=3, sources=2, negativity=0.7, reach=120_000)
    assert assess_risk(quiet).level == "blue"
    risk = assess_risk(viral)
    assert risk.level == "yellow"
    assert "social reach 120000 (reposts + comments + likes) (+3)" in risk.reasons
    steps = [assess_risk(RiskSignals(1, 1, 0.5, reach=n)).score for n in (999, 1_000, 10_000)]
    assert steps == [0, 1, 2]


def test_every_reason_reads_in_chinese():
    signals = RiskSignals(
        documents=30, sources=12, negativity=0.9, documents_last_24h=15, best_tier=1,
        sensitive_terms=("辱骂", "停职"), categories=("rudeness",), reach=120_000,
    )
    reasons = assess_risk(signals).reasons
    assert len(reasons) == 7
    for reason in reasons:
        assert not re.search("[A-Za-z]", reason_zh(reason)), reason
