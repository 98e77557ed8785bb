from index.tokens import index_terms, query_terms


def test_chinese_runs_become_bigrams_plus_their_last_character():
    assert index_terms("骂人！") == ["骂人", "人"]
    assert index_terms("12345热线") == ["12345", "热线", "线"]


def test_ascii_words_are_lower_cased_whole_words():
    assert index_terms("Hello ＷＯＲＬＤ 0373-12345678") == ["hello", "world", "0373", "12345678"]


def test_query_terms_are_phrases_of_bigrams():
    assert query_terms("态度恶劣") == (["态度", "度恶", "恶劣"], False)
    assert query_terms("12345热线") == (["12345", "热线"], False)


def test_single_character_queries_are_prefix_queries():
    assert query_terms("骂") == (["骂"], True)
    assert query_terms("12345骂") == (["12345", "骂"], True)


def test_punctuation_only_has_no_terms():
    assert query_terms("！？")[0] == []


def test_compiled_index_text_is_the_joined_python_terms():
    """index/_terms.pyx (built on install) writes the Python path's string."""
    from index import tokens

    assert tokens._compiled_index_text is not None, "index/_terms.pyx is not built"
    texts = [
        "",
        "骂人！",
        "Hello ＷＯＲＬＤ 0373-12345678",
        "热线 接线员\u3000骂人 \n 了ab 热线",  # whitespace between CJK joins the run
        "İstanbul K 热线\x1c接线 \u00a0员",
        "１２３４５热线ａｂｃ，态度恶劣。",
        "㐀丂豈鿿\U00020000中",
    ]
    # every BMP code point between CJK characters, a letter and an upper-case one
    texts += [f"热{c}线{c}a{c}Z" for c in map(chr, range(0x10000)) if not "\ud800" <= c <= "\udfff"]
    for text in texts:
        assert tokens.index_text(text) == " ".join(index_terms(text)), repr(text)
