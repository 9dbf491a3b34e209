"""The CLI shells: structure and exit codes, not styling."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from medcode.cli import app

runner = CliRunner()


def run(kb: Path, *args: str):
    return runner.invoke(app, ["--kb", str(kb), *args])


def test_show_json(kb_path: Path) -> None:
    result = run(kb_path, "show", "0441T", "--format", "json")
    assert result.exit_code == 0, result.output
    page = json.loads(result.stdout)
    assert page["code"] == "0441T" and page["mue"]["units"] == 3


def test_show_unknown_code_exits_1(kb_path: Path) -> None:
    result = run(kb_path, "show", "R52.2")
    assert result.exit_code == 1
    assert "R52.2" in result.stderr and "not a" in result.stderr


def test_show_md_and_text(kb_path: Path) -> None:
    md = run(kb_path, "show", "G90.52", "--format", "md")
    assert md.exit_code == 0 and "G90.521" in md.stdout and "header" in md.stdout
    text = run(kb_path, "show", "G90.52")
    assert text.exit_code == 0 and "G90.529" in text.stdout


def test_show_bad_date(kb_path: Path) -> None:
    result = run(kb_path, "show", "G90.52", "--as-of", "May 2026")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.stderr


def test_search_json(kb_path: Path) -> None:
    result = run(kb_path, "search", "complex regional pain syndrome right leg", "--format", "json")
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    assert hits[0]["code"] == "G90.521"
    assert {"system", "code", "title", "billable", "score"} <= set(hits[0])


def test_search_batch(kb_path: Path, tmp_path: Path) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"id": 1, "query": "crps right leg"}\n\n{"id": "b", "query": "neuralgia"}\n')
    result = run(kb_path, "search", "--batch", str(batch))
    assert result.exit_code == 0
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [x["id"] for x in lines] == [1, "b"] and lines[0]["results"][0]["code"] == "G90.521"


def test_search_batch_bad_line(kb_path: Path, tmp_path: Path) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"id": 1, "query": "x"}\nnot json\n')
    result = run(kb_path, "search", "--batch", str(batch))
    assert result.exit_code == 2 and "line 2" in result.stderr


def test_kb_build_and_info(tmp_path: Path, fixture_mirror: Path) -> None:
    kb = tmp_path / "kb.sqlite"
    built = run(kb, "kb", "build", "--mirror", str(fixture_mirror))
    assert built.exit_code == 0, built.output
    info = run(kb, "kb", "info", "--format", "json")
    data = json.loads(info.stdout)
    assert any(s["file"] == "PPRRVU2025_Oct.csv" and s["publisher"] == "CMS" for s in data["sources"])


def test_kb_build_bad_mirror(tmp_path: Path) -> None:
    result = run(tmp_path / "kb.sqlite", "kb", "build", "--mirror", str(tmp_path / "nope"))
    assert result.exit_code == 2 and "does not exist" in result.stderr


def test_no_kb_yet(tmp_path: Path) -> None:
    result = run(tmp_path / "kb.sqlite", "show", "G90.52")
    assert result.exit_code == 2 and "medcode kb build" in result.stderr


def test_search_batch_wrong_encoding(kb_path: Path, tmp_path: Path) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_bytes('{"id": 1, "query": "crps"}\n{"id": 2, "query": "caf\xe9"}\n'.encode("latin-1"))
    result = run(kb_path, "search", "--batch", str(batch))
    assert result.exit_code == 2 and "not UTF-8" in result.stderr
