"""`medcode search` and `medcode show`: find codes and show everything known about one."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from medcode.cli.common import errors, print_json, workbench
from medcode.errors import ConfigError
from medcode.profile import render


def search(
    ctx: typer.Context,
    query: Optional[str] = typer.Argument(None, help="Words, abbreviations or a code prefix."),
    system: Optional[str] = typer.Option(None, "--system", help="Only this system: ICD10CM, CPT, HCPCS, MODIFIER, TAXONOMY, POS."),
    limit: int = typer.Option(10, "--limit", "-n", help="How many results."),
    fmt: str = typer.Option("text", "--format", help="text or json"),
    batch: Optional[Path] = typer.Option(None, "--batch", help='JSONL file of {"id", "query"} lines; writes {"id", "results"} lines.'),
) -> None:
    """Rank codes across systems for a query.

    Example: medcode search "crps right leg" --format json
    """
    wb = workbench(ctx)
    system = system.upper() if system else None
    with errors():
        if batch is not None:
            _batch(wb, batch, system, limit)
            return
        if not query:
            raise ConfigError("give a query, or --batch FILE")
        hits = wb.search(query, system=system, limit=limit)
    if fmt == "json":
        print_json([{k: h.as_dict()[k] for k in ("system", "code", "title", "billable", "score", "matched")} for h in hits])
        return
    table = Table("system", "code", "title", "billable", "score", "matched")
    for h in hits:
        table.add_row(h.system, h.code, h.title or "—", {True: "yes", False: "header", None: ""}[h.billable],
                      f"{h.score:.3f}", h.matched if h.matched != h.title else "")
    Console().print(table)


def _batch(wb, path: Path, system: str | None, limit: int) -> None:
    """Stream the batch: one output line per input line, so a huge file needs no memory."""
    if not path.is_file():
        raise ConfigError(f"batch file {path} not found")

    def items():
        with path.open(encoding="utf-8") as f:
            n = 0
            try:
                for n, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    try:
                        item = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise ConfigError(f"{path}, line {n}: not a JSON object ({exc.msg})") from None
                    if not isinstance(item, dict) or "query" not in item:
                        raise ConfigError(f'{path}, line {n}: expected {{"id", "query"}}')
                    yield item
            except UnicodeDecodeError:
                raise ConfigError(f"{path}, line {n + 1}: not UTF-8 text") from None

    for out in wb.search_batch(items(), system=system, limit=limit):
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")


def show(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="A code of any system: G90.521, 0441T, A4206, 62, 208VP0014X, 11."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Show the code as of this date (YYYY-MM-DD)."),
    system: Optional[str] = typer.Option(None, "--system", help="Which system, when a code exists in several."),
    fmt: str = typer.Option("text", "--format", help="text, json or md"),
) -> None:
    """Show everything known about a code, each section with its source.

    Example: medcode show 0441T --format json
    """
    with errors():
        if as_of is not None:
            render.check_date(as_of)
        page = workbench(ctx).show(code, system=system.upper() if system else None, as_of=as_of)
    if fmt == "json":
        print_json(page)
    elif fmt == "md":
        sys.stdout.write(render.markdown(page))
    else:
        render.rich(page, Console())


def register(app: typer.Typer) -> None:
    app.command("search")(search)
    app.command("show")(show)
