import pytest

from analysis.plans import Plan, matching_plans
from analysis.rules import And, Not, Or, RuleSyntaxError, Term, parse_rule

DEFAULT_RULE = "(12345 OR 市长热线 OR 政务服务热线) AND (骂 OR 辱骂 OR 态度恶劣 OR 打不通 OR 推诿)"


def test_precedence_not_binds_tighter_than_and_than_or():
    rule = parse_rule("a OR b c NOT d")
    assert rule.root == Or((Term("a"), And((Term("b"), Term("c"), Not(Term("d"))))))


def test_quoted_phrase_keeps_operator_words_and_spaces():
    rule = parse_rule('"NOT this" AND "态度 恶劣"')
    assert rule.root == And((Term("NOT this", quoted=True), Term("态度 恶劣", quoted=True)))


def test_default_plan_rule_matches_reports_of_failures():
    rule = parse_rule(DEFAULT_RULE)
    assert rule.matches("新乡12345热线接线员忘挂电话骂市民")
    assert rule.matches("市长热线一直打不通")
    assert not rule.matches("12345热线获评优秀服务窗口")
    assert rule.matched_terms("市长热线打不通，又被推诿") == ["市长热线", "打不通", "推诿"]


def test_numbers_do_not_match_inside_longer_numbers():
    rule = parse_rule("12345")
    assert rule.matches("拨打12345热线")
    assert rule.matches("12345")
    assert not rule.matches("电话0373-12345678")
    assert not rule.matches("编号123456")


def test_matching_folds_case_and_full_width():
    assert parse_rule("app").matches("ＡＰＰ里投诉")
    assert parse_rule("１２３４５").matches("12345热线")


def test_phrase_ignores_spaces_between_chinese_characters():
    assert parse_rule('"态度 恶劣"').matches("接线员态度恶劣")


def test_not_and_empty_rule():
    assert parse_rule("热线 NOT 点赞").matches("热线推诿")
    assert not parse_rule("热线 NOT 点赞").matches("为热线点赞")
    assert parse_rule("").matches("anything")
    assert parse_rule("   ").root is None


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("(a OR b", "missing ')'", 7),
        ("a AND", "expected a term", 5),
        ("OR a", "expected a term, found 'OR'", 0),
        ('"abc', "unterminated quoted phrase", 0),
        ("a ) b", "unexpected ')'", 2),
        ('a ""', "empty quoted phrase", 2),
        ("NOT", "expected a term", 3),
        ("a (", "expected a term", 3),
    ],
)
def test_syntax_errors_report_their_position(text, message, position):
    with pytest.raises(RuleSyntaxError) as caught:
        parse_rule(text)
    assert caught.value.message == message
    assert caught.value.position == position
    assert str(caught.value) == f"{message} at position {position}"


def test_plan_exclusions_win_over_the_rule():
    plan = Plan.from_text("p", "12345 AND 骂", exclude=["小说"])
    assert plan.matches("12345接线员骂人")
    assert not plan.matches("小说第三章：12345接线员骂人")
    assert plan.excluded_by("小说第三章") == ["小说"]
    assert matching_plans([plan], "12345接线员骂人") == ["p"]
