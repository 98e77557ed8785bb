from pathlib import Path

import pytest

from hotwatch.config import ConfigError, default_config_text, load_config

SOURCE = """
[[sources]]
name = "fixture"
type = "site"
start_urls = ["http://127.0.0.1:1/news/"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hotwatch.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_ship_real_sources_and_a_valid_plan(tmp_path):
    config = load_config(write(tmp_path, default_config_text()), environ={})
    assert {s.type for s in config.sources} >= {"rss", "search"}
    assert all(s.url_template.count("{query}") == 1 for s in config.sources if s.type == "search")
    plan = config.plan_objects()[0]
    assert plan.matches("新乡市12345热线接线员辱骂市民")
    assert config.index["backend"] == "sqlite"


def test_data_dir_precedence(tmp_path):
    path = write(tmp_path, SOURCE)
    assert load_config(path, environ={}).data_dir == Path("hotwatch-data")
    assert load_config(path, environ={"HOTWATCH_DATA_DIR": "/env"}).data_dir == Path("/env")
    assert load_config(
        path, data_dir="/cli", environ={"HOTWATCH_DATA_DIR": "/env"}
    ).data_dir == Path("/cli")


def test_environment_selects_elasticsearch(tmp_path):
    environ = {"HOTWATCH_INDEX": "elasticsearch", "HOTWATCH_ES_URL": "http://127.0.0.1:9200"}
    config = load_config(write(tmp_path, SOURCE), environ=environ)
    assert config.index["backend"] == "elasticsearch"
    assert config.index["urls"] == ["http://127.0.0.1:9200"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[crawl\n", "hotwatch.toml: "),
        ("[crawl]\nbogus = 1\n", "[crawl]: unknown key 'bogus'"),
        ("[crawl]\nrevisit_hours = 'x'\n", "[crawl].revisit_hours must be a number"),
        ('[[sources]]\nname = "a"\ntype = "ftp"\nstart_urls = ["x"]\n', "type must be one of"),
        ('[[sources]]\nname = "a"\ntype = "rss"\n', "start_urls is empty"),
        ('[[sources]]\nname = "a"\ntype = "search"\nurl_template = "http://x/"\n', "{query}"),
        ('[[plans]]\nname = "p"\nrule = "(12345 OR"\n', "rule expected a term at position 9"),
        ('[index]\nbackend = "mongo"\n', "backend must be sqlite or elasticsearch"),
        ('[index]\nbackend = "elasticsearch"\n', "needs urls"),
        ('[index]\nreplicas = "one"\n', "replicas must be a number of at least 0"),
        ("[index]\ntimeout = 0\n", "timeout must be a number of at least 1"),
        ("[crawl]\nanalysis_workers = -1\n", "analysis_workers must be 0 or more"),
        (SOURCE + SOURCE, "duplicate name 'fixture'"),
    ],
)
def test_bad_configuration_gives_one_line_errors(tmp_path, text, message):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), environ={})
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read configuration"):
        load_config(tmp_path / "absent.toml", environ={})


def test_source_lookup_names_the_alternatives(tmp_path):
    config = load_config(write(tmp_path, SOURCE), environ={})
    with pytest.raises(ConfigError, match="configured: fixture"):
        config.source("nope")
