"""`medcode detect`: the InferICD10CM JSON shape, stdin, and --jsonl batches."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from medcode.cli import detect as detect_cli
from medcode.cli import main

TRAITS = {"NEGATION", "DIAGNOSIS", "SIGN", "SYMPTOM", "PERTAINS_TO_FAMILY", "HYPOTHETICAL", "HISTORY", "LOW_CONFIDENCE"}


def _app() -> typer.Typer:
    app = typer.Typer()
    app.callback()(main)
    detect_cli.register(app)
    return app


def test_json_shape(detect_kb_path, tmp_path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("Right knee pain. Denies fever. Type 1 diabetes and type 2 diabetes.", encoding="utf-8")
    res = CliRunner().invoke(_app(), ["--kb", str(detect_kb_path), "detect", str(note), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert set(data) == {"entities", "excludes1_conflicts"}
    for e in data["entities"]:
        assert set(e) == {"begin", "end", "text", "category", "type", "score", "traits", "concepts"}
        assert e["category"] == "MEDICAL_CONDITION" and e["type"] == "DX_NAME"
        assert all(set(t) == {"name", "score"} and t["name"] in TRAITS for t in e["traits"])
        assert 1 <= len(e["concepts"]) <= 5
        assert all(set(c) == {"code", "description", "score", "evidence"} for c in e["concepts"])
    assert data["entities"][0]["concepts"][0]["code"] == "M25.561"
    assert {"E10.9", "E11.9"} == {data["excludes1_conflicts"][0]["code"], data["excludes1_conflicts"][0]["other"]}


def test_stdin_and_text_table(detect_kb_path) -> None:
    res = CliRunner().invoke(_app(), ["--kb", str(detect_kb_path), "detect", "-"], input="Chest pain.\n")
    assert res.exit_code == 0 and "R07.9" in res.stdout


def test_jsonl(detect_kb_path, tmp_path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "Headache."}\n{"id": 2, "text": "Nothing here."}\n', encoding="utf-8")
    res = CliRunner().invoke(_app(), ["--kb", str(detect_kb_path), "detect", "--jsonl", str(src)])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert [x["id"] for x in lines] == ["a", 2]
    assert lines[0]["entities"][0]["concepts"][0]["code"] == "R51.9" and lines[1]["entities"] == []


def test_bad_jsonl_is_a_clean_error(detect_kb_path, tmp_path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("not json\n", encoding="utf-8")
    res = CliRunner().invoke(_app(), ["--kb", str(detect_kb_path), "detect", "--jsonl", str(src)])
    assert res.exit_code == 2


def test_learn_and_use_an_agreement_table(detect_kb_path, tmp_path) -> None:
    coded = tmp_path / "coded.toml"
    coded.write_text('[[note]]\nid = "a"\ntext = "Left knee pain."\n[[note.mention]]\ntext = "knee pain"\n'
                     'code = "M25.569"\n\n[[note]]\nid = "b"\ntext = "Left knee pain again."\n', encoding="utf-8")
    phrases, table = tmp_path / "p.tsv", tmp_path / "a.tsv"
    base = ["--kb", str(detect_kb_path)]
    res = CliRunner().invoke(_app(), [*base, "detect-learn", str(coded), "--out", str(phrases),
                                      "--agreement-out", str(table)])
    assert res.exit_code == 0, res.output
    assert "M25.562\t\tasserted\t0\t2" in table.read_text(encoding="utf-8")  # coders never gave it
    note = tmp_path / "note.txt"
    note.write_text("Left knee pain.", encoding="utf-8")
    run = [*base, "detect", str(note), "--format", "json", "--phrases", str(phrases)]
    withheld = json.loads(CliRunner().invoke(_app(), [*run, "--agreement", str(table)]).stdout)["entities"]
    shown = json.loads(CliRunner().invoke(_app(), [*run, "--agreement", "none"]).stdout)["entities"]
    assert withheld == [] and [e["concepts"][0]["code"] for e in shown] == ["M25.562"]
    res = CliRunner().invoke(_app(), [*base, "detect", str(note), "--agreement", str(tmp_path / "missing.tsv")])
    assert res.exit_code != 0 and "does not exist" in res.output
