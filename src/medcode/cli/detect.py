"""`medcode detect`: diagnoses, signs and symptoms in clinical text with ranked ICD-10-CM codes.

Output has AWS Comprehend Medical InferICD10CM's field names; see docs/detect.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from medcode.cli.common import errors, print_json, read_utf8, workbench
from medcode.errors import ConfigError


def detect(
    ctx: typer.Context,
    file: str | None = typer.Argument(None, help="Text file to read, or - for standard input."),
    fmt: str = typer.Option("text", "--format", help="text or json"),
    jsonl: Path | None = typer.Option(None, "--jsonl", help='JSONL file of {"id", "text"} lines; writes {"id", "entities"} lines.'),
    output: Path | None = typer.Option(None, "--output", "-o", help="With --jsonl: write here instead of standard output."),
) -> None:
    """Find conditions, signs and symptoms in clinical text and rank ICD-10-CM codes for each.

    Example: medcode detect note.txt --format json
    """
    with errors():
        det = workbench(ctx).detector
        if jsonl is not None:
            _jsonl(det, jsonl, output)
            return
        if file is None:
            raise ConfigError("give a FILE, - for standard input, or --jsonl FILE")
        text = sys.stdin.read() if file == "-" else read_utf8(Path(file))
        entities = det.detect(text)
        conflicts = det.conflicts(entities)
    if fmt == "json":
        print_json({"entities": [e.as_dict() for e in entities],
                    "excludes1_conflicts": [c.as_dict() for c in conflicts]})
        return
    table = Table("text", "traits", "code", "description", "score", "evidence")
    for e in entities:
        top = e.concepts[0]
        traits = ", ".join(t.name for t in e.traits)
        # codes reported with the first (the other side; a pregnant patient's own condition code)
        extra = [c for c in e.concepts[1:] if c.additional]
        code = " + ".join([top.code, *(c.code for c in extra)])
        description = "; ".join([top.description, *(c.description for c in extra)])
        table.add_row(e.text, traits, code, description, f"{top.score:.2f}", top.evidence)
    console = Console()
    console.print(table)
    for c in conflicts:
        console.print(f"[bold yellow]Excludes1:[/] {c.code} and {c.other} ({c.note_code}: {c.note})", highlight=False)



def _jsonl(det, path: Path, output: Path | None) -> None:
    if not path.is_file():
        raise ConfigError(f"JSONL file {path} not found")
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    items = []
    for n, line in enumerate(lines, 1):
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}, line {n}: not a JSON object ({exc.msg})") from None
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise ConfigError(f'{path}, line {n}: expected {{"id", "text"}}')
        items.append(item)
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        with Progress(console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("detecting", total=len(items))
            for item in items:
                entities = det.detect(item["text"])
                out.write(json.dumps({"id": item.get("id"), "entities": [e.as_dict() for e in entities]},
                                     ensure_ascii=False) + "\n")
                progress.advance(task)
    finally:
        if output:
            out.close()


def register(app: typer.Typer) -> None:
    app.command("detect")(detect)
