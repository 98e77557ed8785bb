from __future__ import annotations

from analysis.tags.language import chinese_share, reads_as_chinese


def test_chinese_pages_read_as_chinese_in_either_script() -> None:
    assert reads_as_chinese("市民拨打12345热线，接线员挂断电话。")
    assert reads_as_chinese("市民撥打1999專線，話務人員態度惡劣。")


def test_english_pages_with_a_few_han_characters_do_not() -> None:
    assert not reads_as_chinese("The 12345 hotline (市长热线) left residents waiting for days.")
    assert not reads_as_chinese("")


def test_japanese_pages_do_not_though_they_write_han() -> None:
    # 市原市 vaccine booking line (a labelled real page's headline)
    assert not reads_as_chinese("「つながらない」苦情500件 市原市ワクチン接種予約 初日は892人")
    assert reads_as_chinese("日本の市民热线，12345热线接线员挂断电话，态度恶劣。")  # a stray の


def test_share_counts_letters_not_digits_or_punctuation() -> None:
    assert chinese_share("12345！！ 热线") == 1.0
    assert chinese_share("热线 ab") == 0.5


def test_share_is_the_count_over_each_range_of_code_points() -> None:
    from analysis.tags.language import _HAN, _KANA, _OTHER_LETTERS

    ranges = (_HAN, _KANA, *_OTHER_LETTERS)
    edges = [c for low, high in ranges for c in (low - 1, low, high, high + 1)]
    codes = [*edges, 0xFFFF, 0x20000, 0x10FFFF]
    han = sum(_HAN[0] <= c <= _HAN[1] for c in codes)
    letters = sum(low <= c <= high for c in codes for low, high in ranges)
    assert chinese_share("".join(map(chr, codes))) == han / letters
