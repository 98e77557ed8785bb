"""README and ``--help`` stay in sync with the commands: every command the README names
exists, every command is in the README, and every command's help carries an example that
names itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from hotwatch.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"
GLOBAL_OPTIONS_WITH_VALUE = {"--config", "--data-dir"}
GLOBAL_FLAGS = {"-v", "--verbose"}
# "hotwatch" starting a line or code span, after "&&", or run from a bin/ directory
INVOCATION = re.compile(r"(?:^[ \t]*|&& |/bin/)hotwatch[ \t]+([^\n`]*)", re.M)
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
INLINE = re.compile(r"`([^`\n]+)`")


def commands(group: click.Group = cli, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path, groups included: ("index",), ("index", "copy"), ..."""
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((*path, name))
        if isinstance(command, click.Group):
            found += commands(command, (*path, name))
    return found


def command_paths(text: str) -> list[tuple[str, ...]]:
    """The command paths named by ``hotwatch ...`` invocations in ``text``; ``a|b``
    alternatives give one path each."""
    paths = []
    for match in INVOCATION.finditer(text):
        words = match.group(1).split()
        while words and (words[0] in GLOBAL_FLAGS or words[0] in GLOBAL_OPTIONS_WITH_VALUE):
            words = words[2:] if words[0] in GLOBAL_OPTIONS_WITH_VALUE else words[1:]
        if not words or not re.fullmatch(r"[a-z][a-z|-]*", words[0]):
            continue  # a path (/srv/hotwatch) or prose, not an invocation
        for first in words[0].split("|"):
            command = cli.commands.get(first)
            paths.append(_extend((first,), command, words[1:]))
    return paths


def _extend(path: tuple[str, ...], command: click.Command | None, rest: list[str]):
    if not isinstance(command, click.Group) or not rest:
        return path
    if not re.fullmatch(r"[a-z][a-z|-]*", rest[0]):
        return path
    return (*path, rest[0])


def readme_invocations() -> list[tuple[str, ...]]:
    text = README.read_text(encoding="utf-8")
    code = [block for block in FENCE.findall(text)]
    prose = FENCE.sub("", text)
    code += INLINE.findall(prose)
    found = []
    for snippet in code:
        for path in command_paths(snippet):
            if len(path) == 2 and "|" in path[1]:
                found += [(path[0], sub) for sub in path[1].split("|")]
            else:
                found.append(path)
    return found


def test_the_readme_finds_invocations():
    found = readme_invocations()
    assert ("search",) in found and ("index", "copy") in found and ("run",) in found


def test_every_command_the_readme_names_exists():
    known = set(commands())
    missing = sorted({path for path in readme_invocations() if path not in known})
    assert missing == [], f"README names commands that do not exist: {missing}"


def test_every_command_is_in_the_readme():
    named = set(readme_invocations())
    leaves = [p for p in commands() if not isinstance(_command(p), click.Group)]
    absent = [" ".join(p) for p in leaves if p not in named]
    assert absent == [], f"commands missing from README: {absent}"


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


@pytest.mark.parametrize("path", [(), *commands()], ids=lambda p: " ".join(p) or "hotwatch")
def test_every_help_has_an_example_that_runs_that_command(path):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "\n  Example:\n" in result.output, f"no Example: in hotwatch {' '.join(path)} --help"
    example = result.output.split("\n  Example:\n", 1)[1].split("\n\n", 1)[0]
    named = command_paths(example)
    assert named, f"the example of hotwatch {' '.join(path)} runs no hotwatch command"
    for example_path in named:
        assert example_path in set(commands()), f"example runs unknown {example_path}"
    if path:
        assert any(p[: len(path)] == path for p in named), (
            f"no example of hotwatch {' '.join(path)} in its own --help: {named}"
        )


def test_the_readme_python_example_runs(tmp_path, monkeypatch, capsys):
    text = README.read_text(encoding="utf-8")
    section = text.split("## Python API", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HOTWATCH_CONFIG", raising=False)
    from hotwatch import write_config

    write_config("hotwatch.toml")
    insult = "新乡市民拨打12345热线反映噪音问题，接线员忘记挂电话，在电话里骂市民“不要脸”。"
    lines = [
        {"url": "https://news.test/1", "title": "新乡12345热线接线员骂人", "text": insult,
         "published_at": "2021-04-25 10:00"},
        {"url": "https://news.test/2", "title": "12345接线员骂市民 新乡回应", "text": insult,
         "published_at": "2021-04-25 12:00"},
    ]
    Path("exported-articles.jsonl").write_text(
        "\n".join(json.dumps(line, ensure_ascii=False) for line in lines), encoding="utf-8"
    )
    exec(compile(example, "README.md", "exec"), {})  # noqa: S102 - the README's own example
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "{'new': 2}"
    assert any("新乡12345热线接线员骂人 https://news.test/1" in line for line in printed[1:])
    assert any(line.endswith(" 2") for line in printed), printed
