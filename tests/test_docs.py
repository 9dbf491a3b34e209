"""Every CLI command has help text and is mentioned in the README (sqlite-utils style)."""

from __future__ import annotations

from pathlib import Path

import typer.main

from medcode.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group, prefix=""):
    for name, cmd in group.commands.items():
        full = f"{prefix}{name}"
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, full + " ")
        else:
            yield full, cmd


def test_every_command_is_documented() -> None:
    click_app = typer.main.get_command(app)
    commands = list(_commands(click_app))
    assert {"kb build", "kb info", "search", "show", "redact"} <= {name for name, _ in commands}
    for name, cmd in commands:
        assert cmd.help and cmd.help.strip(), f"`medcode {name}` has no help"
        assert f"medcode {name}" in README, f"`medcode {name}` is not in the README"
