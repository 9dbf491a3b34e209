"""The ``medcode`` command line: thin Typer shells over :class:`medcode.Workbench`.

Each command parses its input, makes one library call and renders the result. Library errors
(:class:`medcode.MedcodeError`) become a one-line message on stderr: exit status 1 for an unknown
code, 2 for everything else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from medcode import __version__
from medcode.cli import check, detect, kb, lookup, redact

app = typer.Typer(
    name="medcode",
    help="Offline medical coding workbench: code look-up, search, code pages and PHI redaction, from official releases.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"medcode {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    kb_path: Optional[Path] = typer.Option(
        None, "--kb", help="Knowledge base file (default: $MEDCODE_HOME/kb.sqlite or the user data folder)."
    ),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """Offline medical coding workbench."""
    ctx.obj = {"kb": kb_path}


kb.register(app)
lookup.register(app)
redact.register(app)
check.register(app)
detect.register(app)
