"""Checking query text before it reaches the store, with messages in Chinese."""

from __future__ import annotations

import re

from analysis.rules import RuleSyntaxError, parse_rule
from hotwatch.web.params import ParamError
from reports.formatting import translate

_MESSAGES = (
    (re.compile(r"^unterminated quoted phrase$"), "引号没有闭合"),
    (re.compile(r"^empty quoted phrase$"), "引号里是空的"),
    (re.compile(r"^missing '\)'$"), "缺少右括号“)”"),
    (re.compile(r"^expected a term$"), "查询在这里结束了，缺少检索词"),
    (re.compile(r"^expected a term, found '(.*)'$"), "这里应为检索词，却是“{0}”"),
    (re.compile(r"^unexpected '(.*)'$"), "多余的“{0}”"),
)


def check_query(text: str) -> None:
    """Raise ``ParamError`` with a Chinese explanation when the query does not parse."""
    try:
        parse_rule(text)
    except RuleSyntaxError as error:
        raise ParamError(syntax_message(error)) from error


def syntax_message(error: RuleSyntaxError) -> str:
    detail = translate(error.message, _MESSAGES, default=error.message)
    return (
        f"查询语法有误（第 {error.position + 1} 个字符处）：{detail}。"
        "写法示例：(12345 OR 市长热线) AND 骂 NOT 小说，短语请加英文双引号"
    )
