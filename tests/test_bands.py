from analysis.sentiment.bands import NEGATIVE_FROM, POSITIVE_BELOW, band_key, negativity_band


def test_bands_split_the_unit_interval_at_the_documented_thresholds():
    assert negativity_band(1.0) == "负面"
    assert negativity_band(NEGATIVE_FROM) == "负面"
    assert negativity_band(NEGATIVE_FROM - 0.01) == "中性"
    assert negativity_band(POSITIVE_BELOW) == "中性"
    assert negativity_band(POSITIVE_BELOW - 0.01) == "正面"
    assert negativity_band(0.0) == "正面"


def test_band_keys_are_ascii_for_json_and_css():
    assert [band_key(v) for v in (0.95, 0.3, 0.05)] == ["negative", "neutral", "positive"]
