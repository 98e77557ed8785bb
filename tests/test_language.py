from __future__ import annotations

from analysis.tags.language import chinese_share, reads_as_chinese


def test_chinese_pages_read_as_chinese_in_either_script() -> None:
    assert reads_as_chinese("市民拨打12345热线，接线员挂断电话。")
    assert reads_as_chinese("市民撥打1999專線，話務人員態度惡劣。")


def test_english_pages_with_a_few_han_characters_do_not() -> None:
    assert not reads_as_chinese("The 12345 hotline (市长热线) left residents waiting for days.")
    assert not reads_as_chinese("")


def test_share_counts_letters_not_digits_or_punctuation() -> None:
    assert chinese_share("12345！！ 热线") == 1.0
    assert chinese_share("热线 ab") == 0.5
