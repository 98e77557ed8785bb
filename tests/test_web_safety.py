"""``hotwatch serve`` against hostile content and hostile clients, through Flask's test
client: markup in stored reports stays text everywhere (pages, CSV, JSON), a strict
Content-Security-Policy, and who may connect (loopback, tokens, logins) (the store:
``tests/web_fixtures.py``)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from click.testing import CliRunner

from hotwatch.cli.context import Context
from hotwatch.cli.document_commands import CATEGORIES as CLI_CATEGORIES
from hotwatch.cli.serve_command import serve
from hotwatch.config import Config
from hotwatch.web import create_app
from hotwatch.web.listen import ListenError, check_listen
from hotwatch.web.params import CATEGORIES
from hotwatch.web.present import highlight
from hotwatch.web.security import CONTENT_SECURITY_POLICY
from tests.web_fixtures import (  # noqa: F401 (client, config, data_dir, docs: fixtures)
    SCRIPT,
    TOKEN,
    client,
    config,
    data_dir,
    docs,
    documents,
    incidents,
    page,
)

# -- untrusted content ---------------------------------------------------------------------


def assert_escaped(html: str) -> None:
    assert SCRIPT not in html
    assert "<img" not in html and "onerror=alert(1)>" not in html
    assert "<i>省</i>" not in html
    assert 'href="javascript:' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_hostile_content_is_escaped_everywhere(client, docs):
    xss = docs[5]
    for url in (
        "/search?q=12345&sort=negativity",
        "/search?q=script",
        "/search?q=alert",
        "/search?all=1&limit=100",
        f"/documents/{xss.id}",
        "/incidents/inc-xss",
        "/incidents",
        "/?date=2021-04-25",
    ):
        assert_escaped(page(client, url))


def test_highlights_are_built_after_escaping(client):
    html = page(client, "/search?q=script")
    assert "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;" in html
    assert "onerror=alert(1)&gt;" in html


def test_hostile_links_are_not_links(client, docs):
    html = page(client, "/search?q=公式")
    assert 'href="javascript:' not in html and "原文链接不可用" in html
    assert 'href="javascript:' not in page(client, f"/documents/{docs[6].id}")
    incident = page(client, "/incidents/inc-xss")
    assert 'href="javascript:' not in incident


def test_hostile_content_in_csv_and_json_stays_data(client, docs):
    body = client.get("/search.csv?q=script").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][0] == docs[5].title  # verbatim data, not markup
    api = client.get("/api/search?q=script")
    assert api.headers["Content-Type"].startswith("application/json")
    assert api.headers["X-Content-Type-Options"] == "nosniff"
    assert api.get_json()["hits"][0]["title"] == docs[5].title


def test_highlight_escapes_each_piece_and_survives_bad_offsets():
    assert str(highlight("<b>骂</b>", [(3, 4)])) == "&lt;b&gt;<mark>骂</mark>&lt;/b&gt;"
    assert str(highlight("a<b", [(1, 2)])) == "a<mark>&lt;</mark>b"
    assert str(highlight("abc", [(2, 99), (-5, 1), (1, 1)])) == "<mark>a</mark>b<mark>c</mark>"
    assert str(highlight("abcd", [(0, 3), (1, 2)])) == "<mark>abc</mark>d"


def test_every_response_has_a_strict_content_security_policy(client, docs):
    for url in ("/", "/search?q=12345", "/search?q=(", f"/documents/{docs[0].id}",
                "/incidents/inc-xinxiang", "/api/search", "/nope", "/static/style.css"):
        response = client.get(url)
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
    for part in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                 "img-src 'self' data:", "object-src 'none'", "base-uri 'none'",
                 "frame-ancestors 'none'"):
        assert part in CONTENT_SECURITY_POLICY


def test_pages_have_no_inline_script_or_style(client, docs):
    for url in ("/?date=2021-04-25", "/search?q=12345", "/incidents/inc-xinxiang",
                f"/documents/{docs[1].id}"):
        html = page(client, url)
        assert "<style" not in html and " style=" not in html
        scripts = re.findall(r"<script[^>]*>", html)
        assert len(scripts) == 1 and re.fullmatch(
            r'<script src="/static/app.js\?v=[0-9a-f]{12}" defer>', scripts[0]
        )
        assert not re.search(r"<[^>]+\son\w+=", html)
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        assert '<html lang="zh-CN">' in html


def test_static_assets_are_in_the_package(client):
    css = client.get("/static/style.css")
    assert css.status_code == 200 and b"@media (max-width: 800px)" in css.data
    assert b"http" not in css.data  # nothing loaded from elsewhere
    js = client.get("/static/app.js")
    assert js.status_code == 200 and b"fetch(" not in js.data


# -- who may connect ------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_needs_no_token(host):
    check_listen(host, None)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.com"])
def test_other_addresses_need_a_token(host):
    with pytest.raises(ListenError, match="needs users .* or an access token"):
        check_listen(host, None)
    check_listen(host, TOKEN)
    check_listen(host, None, users_exist=True)


def test_short_tokens_are_refused():
    with pytest.raises(ListenError, match="at least 16 characters"):
        check_listen("0.0.0.0", "short")


def test_serve_refuses_to_start_without_a_token(tmp_path, monkeypatch):
    monkeypatch.delenv("HOTWATCH_WEB_TOKEN", raising=False)
    result = CliRunner().invoke(
        serve, ["--host", "0.0.0.0", "--port", "0"], obj=Context(None, str(tmp_path))
    )
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: listening on 0.0.0.0 needs users")


def test_serve_is_a_hotwatch_command(data_dir):
    from hotwatch.cli import cli

    if "serve" not in cli.commands:
        cli.add_command(serve)
    result = CliRunner().invoke(
        cli, ["--data-dir", str(data_dir), "serve", "--host", "192.168.0.1"],
        env={"HOTWATCH_WEB_TOKEN": ""},
    )
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: listening on 192.168.0.1 needs users")


def test_the_host_header_must_be_loopback_without_a_token(client):
    assert client.get("/search", headers={"Host": "localhost"}).status_code == 200
    assert client.get("/search", headers={"Host": "127.0.0.1:8080"}).status_code == 200
    assert client.get("/search", headers={"Host": "attacker.example"}).status_code == 400


@pytest.fixture
def guarded(config: Config) -> Any:
    return create_app(config, token=TOKEN).test_client()


def test_token_guards_pages_and_api(guarded):
    response = guarded.get("/search?q=12345")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    api = guarded.get("/api/search")
    assert api.status_code == 401 and "访问令牌" in api.get_json()["error"]
    assert guarded.get("/api/search", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = guarded.get("/api/search", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200 and ok.headers["Cache-Control"] == "no-store"
    html = guarded.get("/search?q=12345", headers={"Authorization": f"Bearer {TOKEN}"})
    assert html.status_code == 200
    # Any host may be used once a token guards the server.
    assert guarded.get(
        "/api/search", headers={"Authorization": f"Bearer {TOKEN}", "Host": "10.0.0.5:8080"}
    ).status_code == 200
    assert guarded.get("/static/style.css").status_code == 200  # the login page needs it


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_login_form_sets_a_strict_session_cookie(guarded):
    form = page(guarded, "/login?next=/incidents")
    token = _csrf(form)
    assert guarded.post("/login", data={"token": TOKEN}).status_code == 400  # no CSRF token
    assert guarded.post(
        "/login", data={"token": TOKEN, "csrf_token": "forged"}
    ).status_code == 400
    wrong = guarded.post("/login", data={"token": "nope", "csrf_token": token})
    assert wrong.status_code == 403 and "访问令牌不正确" in wrong.get_data(as_text=True)
    assert guarded.get("/incidents").status_code == 302
    response = guarded.post(
        "/login", data={"token": TOKEN, "csrf_token": token, "next": "/incidents"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/incidents"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert guarded.get("/incidents").status_code == 200
    # Logging out is a POST with the (new) session's CSRF token.
    logged_in = page(guarded, "/incidents")
    assert guarded.post("/logout", data={}).status_code == 400
    out = guarded.post("/logout", data={"csrf_token": _csrf(logged_in)})
    assert out.status_code == 302
    assert guarded.get("/incidents").status_code == 302


def test_login_never_redirects_off_site(guarded):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"):
        token = _csrf(page(guarded, "/login"))
        response = guarded.post(
            "/login", data={"token": TOKEN, "csrf_token": token, "next": target}
        )
        assert response.headers["Location"] == "/"
        guarded.post("/logout", data={"csrf_token": _csrf(page(guarded, "/incidents"))})


def test_a_token_from_another_server_does_not_open_this_one(config, guarded):
    other = create_app(config, token="another-token-entirely-0123456").test_client()
    form = page(other, "/login")
    other.post("/login", data={"token": "another-token-entirely-0123456",
                               "csrf_token": _csrf(form)})
    cookie = other.get_cookie("hotwatch_session")
    guarded.set_cookie("hotwatch_session", cookie.value)
    assert guarded.get("/incidents").status_code == 302


def test_categories_match_the_cli():
    assert CATEGORIES == CLI_CATEGORIES


def test_the_cli_does_not_import_flask():
    import subprocess
    import sys

    code = "import sys, hotwatch.cli; print('flask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
