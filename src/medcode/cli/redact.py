"""`medcode redact`: a thin shell over medcode.phi (parse, one library call, render).

Fail closed: any error prints a short message (never input text) to stderr, exits 2 and writes
nothing to stdout. With ``--jsonl`` and ``--output``, records go to a temporary file renamed into
place only when every record succeeded.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Optional

import typer

MODES = ("redact", "mask", "surrogate")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def redact_command(
    file: Optional[str] = typer.Argument(None, help="Text file to redact, or '-' for standard input."),
    mode: str = typer.Option("redact", "--mode", "-m", help="redact ([NAME]), mask (same length) or surrogate (fakes)."),
    key: Optional[str] = typer.Option(None, "--key", help="Surrogate key: the same key gives the same fakes and date shift (one key per patient)."),
    fmt: str = typer.Option("text", "--format", "-f", help="text, or json: {text, spans:[{start,end,label,score,rule}]}."),
    jsonl: Optional[Path] = typer.Option(None, "--jsonl", help="Read lines {id, text}; write lines {id, text, spans}."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="With --jsonl: write here instead of standard output."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Progress bar on stderr for --jsonl."),
) -> None:
    """Remove the HIPAA Safe Harbor identifiers from clinical text.

    Examples:

        medcode redact note.txt

        medcode redact - --mode surrogate --key patient-42 < note.txt

        medcode redact note.txt --format json

        medcode redact --jsonl notes.jsonl -o redacted.jsonl
    """
    try:
        if mode not in MODES:
            _fail(f"--mode must be one of {', '.join(MODES)}")
        if fmt not in ("text", "json"):
            _fail("--format must be text or json")
        from medcode import phi

        analyzer = phi.default_analyzer()
        if jsonl is not None:
            if file is not None:
                _fail("give either FILE or --jsonl, not both")
            _run_jsonl(jsonl, output, mode, key, analyzer, progress)
            return
        if file is None or file == "-":
            text = sys.stdin.read()
        else:
            text = Path(file).read_text(encoding="utf-8")
        result = phi.redact(text, mode, key, analyzer=analyzer)
        if fmt == "json":
            rendered = json.dumps(result.to_dict(), ensure_ascii=False)
        else:
            rendered = result.text
        sys.stdout.write(rendered + ("\n" if fmt == "json" else ""))
    except typer.Exit:
        raise
    except FileNotFoundError:
        _fail("input file not found")
    except UnicodeDecodeError:
        _fail("input is not UTF-8 text")
    except Exception as exc:  # fail closed: never print input text, never a traceback
        _fail(f"redaction failed ({type(exc).__name__}); nothing was written")


def _run_jsonl(path: Path, output: Optional[Path], mode: str, key: Optional[str], analyzer,
               progress: bool) -> None:
    from medcode import phi

    total = path.stat().st_size
    out_fh = None
    tmp_name = None
    if output is not None:
        fd, tmp_name = tempfile.mkstemp(prefix=".redact-", dir=str(output.parent or Path(".")))
        out_fh = os.fdopen(fd, "w", encoding="utf-8")
    sink = out_fh if out_fh is not None else sys.stdout
    bar = None
    try:
        if progress:
            from rich.progress import BarColumn, Progress, TextColumn, TransferSpeedColumn
            from rich.console import Console

            bar = Progress(TextColumn("redact"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                           TransferSpeedColumn(), console=Console(stderr=True), transient=True)
            bar.start()
            task = bar.add_task("redact", total=total)
        with open(path, "rb") as fh:
            for n, raw in enumerate(fh, 1):
                if bar is not None:
                    bar.update(task, advance=len(raw))
                if not raw.strip():
                    continue
                try:
                    rec = json.loads(raw)
                except ValueError:
                    raise phi.RedactionError(f"line {n}: not a JSON object") from None
                if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
                    raise phi.RedactionError(f"line {n}: expected an object with a 'text' string")
                result = phi.redact(rec["text"], mode, key, analyzer=analyzer)
                sink.write(json.dumps({"id": rec.get("id"), "text": result.text,
                                       "spans": [s.to_dict() for s in result.spans]},
                                      ensure_ascii=False) + "\n")
        if out_fh is not None:
            out_fh.close()
            out_fh = None
            os.replace(tmp_name, output)
            tmp_name = None
    except phi.RedactionError as exc:
        _fail(str(exc))
    finally:
        if bar is not None:
            bar.stop()
        if out_fh is not None:
            out_fh.close()
        if tmp_name is not None and os.path.exists(tmp_name):
            os.unlink(tmp_name)


def register(app: typer.Typer) -> None:
    """Add the ``redact`` command to the medcode Typer app."""
    app.command("redact")(redact_command)


if __name__ == "__main__":  # until the lead's cli package wires it: python -m medcode.cli.redact
    _app = typer.Typer(add_completion=False)
    register(_app)

    @_app.callback()
    def _root() -> None:
        """medcode (redact only)."""

    _app()
