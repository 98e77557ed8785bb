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
