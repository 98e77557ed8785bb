"""``hotwatch index copy`` carries the users: roles, password hashes, disabled, API tokens.

The book-to-book copy runs everywhere (two SQLite books); the CLI round trip SQLite ->
Elasticsearch -> SQLite needs a node at ``HOTWATCH_ES_URL`` (an index prefix of its own).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hotwatch.users import UserBook
from hotwatch.users.copy import copy_users
from hotwatch.users.elasticsearch_book import ElasticsearchUserBook
from tests.test_index_commands import config_file, es_prefix, es_url, hotwatch  # noqa: F401

PASSWORD = "correct horse battery"


def fill_book(book: UserBook) -> str:
    """Three users: an analyst with an API token (returned), a disabled viewer, an admin."""
    book.add("王敏", "analyst", PASSWORD)
    book.add("viewer1", "viewer", PASSWORD)
    book.disable("viewer1")
    book.add("boss", "admin", PASSWORD + "!")
    return book.new_token("王敏")


def assert_same_users(book, token: str) -> None:
    assert [(u.name, u.role, u.disabled, u.has_token) for u in book.list()] == [
        ("boss", "admin", False, False),
        ("viewer1", "viewer", True, False),
        ("王敏", "analyst", False, True),
    ]
    assert book.login("王敏", PASSWORD, "10.0.0.1").role == "analyst"
    assert book.login("boss", PASSWORD + "!", "10.0.0.1").role == "admin"
    assert book.login("viewer1", PASSWORD, "10.0.0.1") is None  # disabled stays disabled
    assert book.user_for_token(token).name == "王敏"


def test_users_are_copied_with_hashes_and_tokens_and_copying_twice_adds_nothing(tmp_path):
    source, target = UserBook(tmp_path / "a"), UserBook(tmp_path / "b")
    token = fill_book(source)
    target.add("boss", "viewer", "the target's own boss")

    first = copy_users(source, target)
    assert (first.copied, first.kept) == (2, ["boss"])
    assert target.get("boss").role == "viewer"  # the target's user of that name stays
    target.remove("boss")
    second = copy_users(source, target)
    assert (second.copied, second.kept) == (1, ["viewer1", "王敏"])
    assert_same_users(target, token)


def test_an_absent_book_has_no_users_and_is_not_created(tmp_path):
    book = UserBook(tmp_path / "none")
    assert book.export_users() == []
    assert not book.path.exists()


@pytest.mark.elasticsearch
def test_index_copy_carries_users_to_elasticsearch_and_back(
    tmp_path: Path, es_url, es_prefix  # noqa: F811
):
    first, second = tmp_path / "first", tmp_path / "second"
    token = fill_book(UserBook(first))
    config = config_file(tmp_path, "elasticsearch", urls=es_url, index_prefix=es_prefix)

    there = hotwatch(
        config, first, "index", "copy", "--from", "sqlite", "--to", "elasticsearch", "--json"
    )
    assert there.exit_code == 0, there.output
    assert (json.loads(there.stdout)["users"], json.loads(there.stdout)["users_kept"]) == (3, [])
    from elasticsearch import Elasticsearch

    client = Elasticsearch(es_url, request_timeout=30)
    try:
        cluster = ElasticsearchUserBook(client, prefix=es_prefix, urls=[es_url], replicas=0)
        assert_same_users(cluster, token)
    finally:
        client.close()
    again = hotwatch(config, first, "index", "copy", "--from", "sqlite", "--to", "elasticsearch")
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[-1] == (
        "copied 0 user(s); kept the elasticsearch user(s) of the same name: boss, viewer1, 王敏"
    )

    back = hotwatch(
        config, second, "index", "copy", "--from", "elasticsearch", "--to", "sqlite", "--json"
    )
    assert back.exit_code == 0, back.output
    assert json.loads(back.stdout)["users"] == 3
    assert_same_users(UserBook(second), token)
