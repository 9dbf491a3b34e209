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
from medcode.settings import detect_agreement, detect_phrases


def detect(
    ctx: typer.Context,
    file: str | None = typer.Argument(None, help="Text file to read, or - for standard input."),
    fmt: str = typer.Option("text", "--format", help="text or json"),
    jsonl: Path | None = typer.Option(None, "--jsonl", help='JSONL file of {"id", "text"} lines; writes {"id", "entities"} lines.'),
    output: Path | None = typer.Option(None, "--output", "-o", help="With --jsonl: write here instead of standard output."),
    phrases: str | None = typer.Option(None, "--phrases", help="Learned-phrase table (from detect-learn; a TSV or a folder of them), or 'none' "
                                       "for the rules alone [default: $MEDCODE_DETECT_PHRASES, else the packaged table]"),
    agreement: str | None = typer.Option(None, "--agreement", help="Code-agreement table (from detect-learn), or "
                                         "'none' to keep codes coders rarely agreed with [default: "
                                         "$MEDCODE_DETECT_AGREEMENT, else the packaged table]"),
) -> None:
    """Find conditions, signs and symptoms in clinical text and rank ICD-10-CM codes for each.

    Example: medcode detect note.txt --format json
    """
    with errors():
        wb = workbench(ctx)
        if phrases is None and agreement is None:
            det = wb.detector
        else:
            from medcode.detect import Detector

            det = Detector(wb.kb, learned=detect_phrases(phrases), agreement=detect_agreement(agreement))
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


def detect_learn(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(..., help="TOML files of hand-coded notes (the bench/detect_notes format)."),
    out: Path = typer.Option(..., "--out", "-o", help="Where to write the phrase table (TSV)."),
    min_support: int = typer.Option(1, help="Times a phrase must be right in the training notes."),
    min_precision: float = typer.Option(0.6, help="Share of its matches in the training notes that must be right."),
    agreement_out: Path | None = typer.Option(None, "--agreement-out", help="Also learn how often your coders "
                                              "agreed with each code the detector asserts, with the new phrases "
                                              "(TSV for `medcode detect --agreement`)."),
) -> None:
    """Learn how your clinicians word conditions from notes your coders coded; use the table with
    `medcode detect --phrases FILE` or MEDCODE_DETECT_PHRASES.

    Example: medcode detect-learn coded/*.toml --out phrases.tsv --agreement-out agreement.tsv
    """
    from medcode.detect import agreement, learn
    from medcode.detect.detector import dictionary_for

    with errors():
        if not 0 < min_precision <= 1 or min_support < 1:
            raise ConfigError("--min-precision must be in (0, 1] and --min-support at least 1")
        notes = [note for f in files for note in learn.read_coded(f)]
        if not notes:
            raise ConfigError("no [[note]] entries in the given files")
        kb = workbench(ctx).kb
        table = learn.train(notes, dictionary_for(kb, False), min_support=min_support,
                            min_precision=min_precision, reading=learn.rules_reading(kb))
        out.write_text(learn.dump(table), encoding="utf-8")
        rows = None
        if agreement_out is not None:
            rows = agreement.train_with(kb, notes, out)
            agreement_out.write_text(agreement.dump(rows), encoding="utf-8")
    mentions = sum(len(n["mentions"]) for n in notes)
    console = Console(stderr=True)
    console.print(f"{len(table)} phrases from {len(notes)} notes ({mentions} coded mentions) -> {out}")
    if rows is not None:
        console.print(f"{len(rows)} code-agreement rows -> {agreement_out}")


def register(app: typer.Typer) -> None:
    app.command("detect")(detect)
    app.command("detect-learn")(detect_learn)
