"""The CLI contract: state set up through the Python API, commands run with CliRunner."""

import json

import pytest
from click.testing import CliRunner

from hotwatch.cli import cli
from index import open_store
from tests.store_fixtures import fill_store


@pytest.fixture
def data_dir(tmp_path):
    return fill_store(tmp_path)


def run(data_dir, *args):
    return CliRunner().invoke(
        cli, ["--data-dir", str(data_dir), *args], env={"HOTWATCH_CONFIG": ""}
    )


def test_search_json_contract(data_dir):
    result = run(data_dir, "search", "骂人", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total"] == 1
    hit = data["hits"][0]
    for key in (
        "id",
        "url",
        "title",
        "published_at",
        "source",
        "negativity",
        "relevant",
        "hotlines",
        "regions",
        "categories",
        "incident_id",
        "snippet",
    ):
        assert key in hit
    assert hit["title"] == "新乡12345热线接线员骂人"
    assert hit["published_at"] == "2021-04-25T02:01:00+00:00"
    assert "骂人" in hit["snippet"]


def test_search_defaults_to_relevant_documents_and_all_widens(data_dir):
    assert json.loads(run(data_dir, "search", "社区", "--json").output)["total"] == 0
    assert json.loads(run(data_dir, "search", "社区", "--all", "--json").output)["total"] == 1


def test_search_filters_normalise_what_people_type(data_dir):
    by_region = json.loads(run(data_dir, "search", "--region", "新乡", "--json").output)
    assert [h["url"] for h in by_region["hits"]] == ["http://news.test/1.html"]
    by_hotline = json.loads(run(data_dir, "search", "--hotline", "市长热线", "--json").output)
    assert by_hotline["total"] == 2
    by_category = json.loads(run(data_dir, "search", "--category", "unreachable", "--json").output)
    assert [h["url"] for h in by_category["hits"]] == ["http://news.test/2.html"]
    by_date = json.loads(run(data_dir, "search", "--from", "2021-04-26", "--json").output)
    assert by_date["total"] == 0


def test_search_sort_by_negativity(data_dir):
    hits = json.loads(run(data_dir, "search", "--sort", "negativity", "--json").output)["hits"]
    assert [h["negativity"] for h in hits] == [0.9, 0.7]


def test_invalid_query_is_a_one_line_error(data_dir):
    result = run(data_dir, "search", "(12345 OR")
    assert result.exit_code == 1
    assert result.output == "Error: invalid query: expected a term at position 9\n"


def test_show_unknown_document(data_dir):
    result = run(data_dir, "show", "nope")
    assert result.exit_code == 1
    assert result.output == "Error: no document with id 'nope'\n"


def test_show_and_stats(data_dir):
    hit = json.loads(run(data_dir, "search", "骂人", "--json").output)["hits"][0]
    shown = json.loads(run(data_dir, "show", hit["id"], "--json").output)
    assert shown["text"] == "市民拨打12345热线反映问题，接线员忘记挂电话骂人。"
    stats = json.loads(run(data_dir, "stats", "--json").output)
    assert stats["documents"] == 3 and stats["relevant"] == 2


def test_human_output_aligns_chinese(data_dir):
    result = run(data_dir, "search", "热线")
    assert result.exit_code == 0
    assert "2 document(s)" in result.output
    assert "【热线】" in result.output


def test_init_writes_a_starter_and_refuses_to_overwrite(tmp_path):
    target = tmp_path / "hotwatch.toml"
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(target)]).exit_code == 0
    assert "[[plans]]" in target.read_text(encoding="utf-8")
    again = runner.invoke(cli, ["init", str(target)])
    assert again.exit_code == 1
    assert again.output == f"Error: {target} exists (use --force to overwrite)\n"


def test_plans_check_reports_the_position_of_a_syntax_error(tmp_path):
    config = tmp_path / "hotwatch.toml"
    config.write_text('[[plans]]\nname = "坏方案"\nrule = "12345 AND (骂 OR"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "plans", "check"])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {config}: plans[0] (坏方案): rule expected a term at position 15\n"
    )


def test_plans_check_lists_valid_plans(tmp_path):
    config = tmp_path / "hotwatch.toml"
    config.write_text('[[plans]]\nname = "p"\nrule = "12345 AND 骂"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "plans", "check"])
    assert result.exit_code == 0
    assert result.output == "ok  p: 12345 AND 骂\n1 plan(s) valid\n"


def test_unreadable_store_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = run(blocker / "store", "stats")
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot open store")
    assert result.output.count("\n") == 1


def test_incidents_rebuild_groups_every_document_and_listing_still_works(data_dir):
    result = run(data_dir, "incidents", "rebuild")
    assert result.exit_code == 0, result.output
    assert result.output == "rebuilt 2 incident(s); 2 document(s) changed incident\n"
    again = run(data_dir, "incidents", "rebuild")
    assert again.output == "rebuilt 2 incident(s); 0 document(s) changed incident\n"
    listed = run(data_dir, "incidents", "--json")
    assert listed.exit_code == 0, listed.output
    assert len(json.loads(listed.output)["incidents"]) == 2
    store = open_store({"backend": "sqlite"}, data_dir)
    try:
        assert not list(store.iter_documents(pending=True))
    finally:
        store.close()
