"""Helpers the command modules share: the workbench from the context, errors as exit codes."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from medcode.errors import ConfigError, MedcodeError, UnknownCode
from medcode.workbench import Workbench

err = Console(stderr=True, soft_wrap=True)


def workbench(ctx: typer.Context) -> Workbench:
    return Workbench((ctx.obj or {}).get("kb"))


@contextmanager
def errors() -> Iterator[None]:
    """Turn library errors into a clean message and exit status (1: unknown code, 2: other)."""
    try:
        yield
    except UnknownCode as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from None
    except MedcodeError as exc:  # includes ClaimError
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None


def read_utf8(path: Path) -> str:
    """A text file the user named, or a clear error (never the file's content) when it can't be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"file {path} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it as UTF-8 text ({exc.__class__.__name__})") from None


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
