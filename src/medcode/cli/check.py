"""`medcode check`: run the claim rules over a claim file."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from medcode.cli.common import errors, print_json, workbench

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def check(
    ctx: typer.Context,
    claim: Path = typer.Argument(..., help="Claim JSON (one claim or a list) or a CSV of claim lines."),
    fmt: str = typer.Option("text", "--format", help="text or json"),
) -> None:
    """Check a claim against NCCI, MUE, fee-schedule indicators and ICD-10-CM rules.

    Example: medcode check examples/claim_cryoablation.json --format json
    Exit status 0 when no finding is an error, 1 when some are.
    """
    with errors():
        findings = workbench(ctx).check(claim)
    if fmt == "json":
        print_json(findings)
    else:
        console = Console(soft_wrap=True)
        if not findings:
            console.print("no findings")
        for f in findings:
            console.print(f"[{STYLE[f['severity']]}]{f['severity']:<7}[/] {f['rule']:<22} {f['message']}", highlight=False)
            if f["source"]:
                console.print(f"        [dim]source: {f['source']}[/]", highlight=False)
    if any(f["severity"] == "error" for f in findings):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("check")(check)
