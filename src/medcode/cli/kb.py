"""`medcode kb ...`: build the knowledge base and report what it holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from medcode.cli.common import err, errors, print_json, workbench

kb_app = typer.Typer(help="Build and inspect the knowledge base.", no_args_is_help=True)


@kb_app.command("build")
def build(
    ctx: typer.Context,
    mirror: Optional[Path] = typer.Option(
        None, "--mirror", help="Folder of official downloads (default: $MEDCODE_MIRROR). Without one, "
        "ICD-10-CM is built from the tabular XML packaged with simple-icd-10-cm."
    ),
    cpt: list[Path] = typer.Option([], "--cpt", help="Your licensed AMA CPT descriptor file (repeatable)."),
    pack: list[Path] = typer.Option([], "--pack", help="An extra content pack TOML file (repeatable)."),
) -> None:
    """Build the knowledge base from the mirror, atomically (a failed build keeps the old one).

    Example: medcode kb build --mirror ../shared/data
    """
    wb = workbench(ctx)
    with errors():
        report = wb.build(mirror, cpt_files=cpt, pack_files=pack,
                          progress=lambda name, path: err.print(f"[dim]importing[/] {name}: {path.name}", highlight=False))
    err.print(f"built {report.path} in {report.seconds:.1f} s", highlight=False)
    table = Table("importer", "file", "release", "rows", "s")
    for f in report.files:
        table.add_row(f["importer"], Path(f["file"]).name, f["release"], f"{f['rows']:,}", f"{f['seconds']:.1f}")
    Console(stderr=True).print(table)
    if report.superseded:
        err.print("not loaded (a newer release of the same table restates them): "
                  + ", ".join(p.name for p in report.superseded), highlight=False)
    err.print(", ".join(f"{k}={v:,}" for k, v in report.counts.items()), highlight=False)


@kb_app.command("info")
def info(
    ctx: typer.Context,
    fmt: str = typer.Option("text", "--format", help="text or json"),
) -> None:
    """Show the imported files: publisher, release, effective date, file, sha256, rows.

    Example: medcode kb info --format json
    """
    with errors():
        data = workbench(ctx).info()
    if fmt == "json":
        print_json(data)
        return
    console = Console(soft_wrap=True)
    console.print(f"knowledge base: {data['path']}  (built {data['meta'].get('built_at')}, medcode {data['meta'].get('medcode_version')})",
                  highlight=False)
    for s in data["sources"]:
        console.print(f"- {s['publisher']} | {s['release']} | effective {s['effective']} | {s['file']} | {s['rows']:,} rows"
                      f" | sha256 {s['sha256'][:16]} | {'complete' if s['complete'] else 'partial: no deletions inferred'}", highlight=False)
    superseded = json.loads(data["meta"].get("superseded") or "[]")
    if superseded:
        console.print("not loaded (superseded by a newer release of the same table): " + ", ".join(superseded),
                      highlight=False)
    console.print(", ".join(f"{k}={v:,}" for k, v in data["counts"].items()), highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(kb_app, name="kb")
