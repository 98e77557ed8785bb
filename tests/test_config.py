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
        ('[queue]\nurl = "http://127.0.0.1:6379"\n', "url must be a redis:// URL"),
        ("[queue]\nvisibility_timeout = 0\n", "visibility_timeout must be at least 1"),
        ("[queue]\ndomain_delay = -1\n", "domain_delay 0 or more"),
        ("[queue]\nbloom_error_rate = 1.5\n", "bloom_error_rate in (0, 1)"),
        ("[queue]\nbogus = 1\n", "[queue]: unknown key 'bogus'"),
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


def test_the_queue_is_off_unless_configured_and_the_environment_sets_its_url(tmp_path):
    path = write(tmp_path, SOURCE)
    assert load_config(path, environ={}).queue.url == ""  # today's in-process crawl
    environ = {"HOTWATCH_QUEUE_URL": "redis://10.0.0.5:6379/0"}
    assert load_config(path, environ=environ).queue.url == "redis://10.0.0.5:6379/0"
    configured = write(tmp_path, '[queue]\nurl = "redis://127.0.0.1:6379/1"\ndomain_delay = 0.5\n')
    queue = load_config(configured, environ=environ).queue
    assert (queue.url, queue.domain_delay) == ("redis://10.0.0.5:6379/0", 0.5)
