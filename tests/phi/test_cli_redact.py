"""The `medcode redact` command through Typer's CliRunner, including fail-closed behaviour."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from medcode.cli.redact import register

NOTE = "Seen by Dr. Hope on 3/4/2024. MRN 00123456.\n"


@pytest.fixture()
def app():
    app = typer.Typer()
    register(app)

    @app.callback()
    def root() -> None:
        """test app"""

    return app


def test_text_and_json(app, analyzer):
    runner = CliRunner()
    res = runner.invoke(app, ["redact", "-"], input=NOTE)
    assert res.exit_code == 0
    assert res.stdout == "Seen by Dr. [NAME] on [DATE]. MRN [MRN].\n"
    res = runner.invoke(app, ["redact", "-", "--format", "json"], input=NOTE)
    data = json.loads(res.stdout)
    assert set(data) == {"text", "spans"}
    assert {tuple(sorted(s)) for s in data["spans"]} == {("end", "label", "rule", "score", "start")}
    assert NOTE[data["spans"][0]["start"]:data["spans"][0]["end"]] == "Hope"


def test_jsonl(app, tmp_path, analyzer):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": NOTE}) + "\n" + json.dumps({"id": "b", "text": "Call 617-555-0142."}) + "\n")
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(app, ["redact", "--jsonl", str(src), "-o", str(out), "--no-progress"])
    assert res.exit_code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[1]["text"] == "Call [PHONE]."


def test_fail_closed_when_a_recognizer_raises(app, analyzer, monkeypatch):
    def boom(text, lower):
        raise RuntimeError("secret " + text)

    monkeypatch.setattr(analyzer.scanner, "scan", boom)
    res = CliRunner().invoke(app, ["redact", "-"], input=NOTE)
    assert res.exit_code == 2
    assert res.stdout == ""
    assert "Hope" not in res.output and "secret" not in res.output


def test_fail_closed_on_bad_jsonl(app, tmp_path, analyzer):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": NOTE}) + "\nnot json Hope\n")
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(app, ["redact", "--jsonl", str(src), "-o", str(out), "--no-progress"])
    assert res.exit_code == 2
    assert not out.exists()
    assert "Hope" not in res.output


def test_bad_mode(app):
    res = CliRunner().invoke(app, ["redact", "-", "--mode", "nope"], input=NOTE)
    assert res.exit_code == 2 and res.stdout == ""
