"""The README's "Bad input" block is real: each command in it, on a copy of the example with the change its comment
names, prints exactly the ``error:`` line shown, with exit status 2."""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

import pytest

from components.cli import main
from tests.gitrepo import EXAMPLE_FILES, REPOSITORY, copy_project, replace_in

README = REPOSITORY / "README.md"
PROD = "stacks/Pulumi.prod.yaml"
BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + level)}: &{chr(98 + level)} [{', '.join([f'*{chr(97 + level)}'] * 10)}]\n" for level in range(9)
)


def set_web_tag_unquoted(project: Path) -> None:
    replace_in(project / PROD, 'ecs-release:webTag: "1.4.1"', "ecs-release:webTag: 1.10")


def give_the_key_twice(project: Path) -> None:
    with open(project / PROD, "a", encoding="utf-8") as file:
        file.write('  ecs-release:webTag: "1.4.2"\n')


def config_as_a_list(project: Path) -> None:
    (project / PROD).write_text("config:\n  - aws:region\n", encoding="utf-8")


def a_named_pipe(project: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    os.mkfifo(project / "td.json")


def an_alias_bomb(project: Path) -> None:
    (project / "bomb.yaml").write_text(BOMB, encoding="utf-8")


def interval_as_text(project: Path) -> None:
    replace_in(project / "app.py", "interval=15,", 'interval="15s",')


CHANGES = {
    "stacks/Pulumi.prod.yaml says webTag: 1.10": set_web_tag_unquoted,
    "the key twice": give_the_key_twice,
    "config: as a list": config_as_a_list,
    "a named pipe": a_named_pipe,
    "nine levels of ten aliases each": an_alias_bomb,
    'app.py: HealthCheck(..., interval="15s")': interval_as_text,
    "": lambda project: None,
}


def readme_examples() -> list:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Bad input"):]
    block = section[section.index("```\n") + 4:]
    block = block[:block.index("```\n")]
    lines = block.splitlines()
    examples = []
    for command, error in zip(lines[::2], lines[1::2]):
        command, _, comment = command.partition("#")
        argv = shlex.split(command.removeprefix("$ ecs-release "))
        examples.append(pytest.param(argv, comment.strip(), error, id=" ".join(argv) + (f" ({comment.strip()})" if comment else "")))
    return examples


@pytest.mark.parametrize("argv, change, error", readme_examples())
def test_the_readme_shows_the_lines_the_commands_print(capsys, tmp_path, monkeypatch, argv, change, error):
    assert re.fullmatch(r"error: .+", error), error
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "app", raising=False)  # the copy's app.py, not one another test imported
    project = copy_project(tmp_path / "project", REPOSITORY, EXAMPLE_FILES)
    CHANGES[change](project)
    monkeypatch.chdir(project)
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", error + "\n")
