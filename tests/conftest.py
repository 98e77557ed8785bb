"""Shared test set-up.

Tests marked ``elasticsearch`` need a real node at ``HOTWATCH_ES_URL``. On a
developer's machine without one they skip; under ``CI=true`` such a skip is a
failure, because CI starts a node (``scripts/elasticsearch.sh``).
"""

from __future__ import annotations

import os

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    outcome = yield
    report = outcome.get_result()
    if (
        report.skipped
        and os.environ.get("CI") == "true"
        and any(item.get_closest_marker(name) for name in ("elasticsearch", "redis"))
    ):
        report.outcome = "failed"
        report.longrepr = f"service test skipped under CI=true: {report.longrepr}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The fault table of the fault-injection tests that ran (CI's log shows it)."""
    from tests.fault_table import RECORDED, table

    if RECORDED:
        terminalreporter.section("fault table")
        terminalreporter.write_line(table(list(RECORDED.values())))
