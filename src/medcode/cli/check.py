"""`medcode check`: run the claim rules over a claim file."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from medcode.cli.common import errors, print_json, read_utf8, workbench

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


def audit(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Any text with codes in it: a code page, an article, a chargemaster excerpt."),
    fmt: str = typer.Option("text", "--format", help="text or json"),
) -> None:
    """Audit coding content: check every code and what the text claims about it.

    Example: medcode audit article.md --format json
    Exit status 0 when every claim checks out, 1 when some are wrong or invalid.
    """
    with errors():
        text = read_utf8(file)
        verdicts = workbench(ctx).audit(text)
    if fmt == "json":
        print_json(verdicts)
    else:
        console = Console(soft_wrap=True)
        colours = {"ok": "green", "wrong": "bold red", "invalid": "bold red", "warning": "yellow"}
        for v in verdicts:
            console.print(f"[{colours[v['verdict']]}]{v['verdict']:<8}[/] {v['claim']}", highlight=False)
            if v["verdict"] != "ok" and v["expected"]:
                console.print(f"         expected: {v['expected']}", highlight=False)
    if any(v["verdict"] in ("wrong", "invalid") for v in verdicts):
        raise typer.Exit(1)


def suggest(
    ctx: typer.Context,
    note: Path = typer.Argument(..., help="A case note (text file)."),
    fmt: str = typer.Option("text", "--format", help="text or json"),
) -> None:
    """Case2Code: propose claim lines from a case note, cite the words behind each, list open questions.

    Example: medcode suggest examples/cryoablation_case.txt --format json
    PHI in the note is masked before anything else runs; no note text is logged.
    """
    with errors():
        text = read_utf8(note)
        result = workbench(ctx).suggest(text)
    if fmt == "json":
        print_json(result)
        return
    console = Console(soft_wrap=True)
    console.print("[bold]Diagnoses[/]")
    for i, d in enumerate(result["diagnoses"], 1):
        console.print(f"  {i}. {d['code']} {d['description']}  [dim]← \"{d['evidence'][0]['text']}\"[/]", highlight=False)
    console.print("[bold]Lines[/]")
    for ln in result["lines"]:
        mods = "-" + "-".join(ln["modifiers"]) if ln["modifiers"] else ""
        words = ", ".join(f"\"{e['text']}\"" for e in ln["evidence"])
        console.print(f"  {ln['code']}{mods} x{ln['units']} dx {ln['dx_pointers']}  [dim]← {words}[/]", highlight=False)
    if result["questions"]:
        console.print("[bold]Open questions[/]")
        for q in result["questions"]:
            console.print(f"  - {q}", highlight=False)
    console.print("[bold]Checks on the proposal[/]")
    for f in result["findings"] or [{"severity": "info", "rule": "-", "message": "no findings"}]:
        console.print(f"  [{STYLE[f['severity']]}]{f['severity']}[/] {f['rule']}: {f['message']}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("check")(check)
    app.command("audit")(audit)
    app.command("suggest")(suggest)
