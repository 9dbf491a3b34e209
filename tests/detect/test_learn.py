"""Learned phrases: training from coded notes, the phrase table file, and how the detector uses it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medcode.detect import Detector, learn
from medcode.detect.detector import dictionary_for
from medcode.errors import ConfigError


def _note(text: str, *coded: tuple[str, str]) -> dict:
    mentions, pos = [], 0
    for phrase, code in coded:
        at = text.index(phrase, pos)
        mentions.append({"begin": at, "end": at + len(phrase), "code": code, "also": []})
        pos = at + 1
    return {"text": text, "mentions": mentions}


def test_phrase_words_drop_sides_numbers_and_negators() -> None:
    assert learn.phrase_words("R knee pain x3 days") == frozenset({"knee", "pain", "day"})
    assert learn.phrase_words("T2DM, A1c 9.1") == frozenset({"t2dm", "a1c"})
    assert "right" not in learn.phrase_words("right knee pain")
    assert learn.phrase_words("HR 124") == frozenset({"hr"})
    assert "no:aura" in learn.phrase_words("migraine w/o aura")


def test_train_keeps_precise_phrases_and_drops_vague_ones(detect_kb) -> None:
    base = dictionary_for(detect_kb, False)
    notes = [
        _note("Pt feels wiped out all week.", ("wiped out", "R53.83")),
        _note("Still wiped out after the flu.", ("wiped out", "R53.83")),
        # "all over" is coded once but written three times without a finding: too vague to keep
        _note("Aches all over.", ("Aches all over", "R52")),
        _note("Checked all over the house."),
        _note("Looked all over for it."),
        # a phrase with a cue word in it would hide the cue
        _note("Denies cough today.", ("Denies cough", "R05.9")),
        _note("Denies cough again.", ("Denies cough", "R05.9")),
    ]
    table = {(" ".join(sorted(x.words)), x.code): (x.right, x.wrong) for x in learn.train(notes, base)}
    assert table[("out wiped", "R53.83")] == (2, 0)
    assert not any(code == "R52" for _, code in table)
    assert not any("deny" in words or "denies" in words for words, _ in table)


def test_a_phrase_over_two_coded_conditions_is_wrong_there(detect_kb) -> None:
    # "cough/fever" coded as two mentions: a phrase of both words would report one of the two
    base = dictionary_for(detect_kb, False)
    notes = [_note("Cough/fever since Monday.", ("Cough/fever", "R05.9")),
             _note("Cough/fever x2 days.", ("Cough/fever", "R05.9")),
             _note("Cough/fever overnight.", ("Cough", "R05.9"), ("fever", "R50.9"))]
    table = {(" ".join(sorted(x.words)), x.code): (x.right, x.wrong) for x in learn.train(notes, base, denied=False)}
    assert table[("cough fever", "R05.9")] == (2, 1)


def test_table_round_trip_and_errors(tmp_path: Path) -> None:
    rows = [learn.Learned(frozenset({"wiped", "out"}), "R53.83", "wiped out", 3, 1)]
    path = tmp_path / "t.tsv"
    path.write_text(learn.dump(rows), encoding="utf-8")
    assert learn.load(path) == rows
    path.write_text("code\tphrase\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="header"):
        learn.load(path)
    path.write_text(learn.dump(rows) + "R52\tx\tmany\t0\tany\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=":3: counts"):
        learn.load(path)
    path.write_text(learn.dump(rows) + "R52\tx\t1\t0\tsometimes\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=":3: 'when' must be one of any, denied"):
        learn.load(path)
    # a table written before the "when" column existed still loads; every row is "any"
    path.write_text("words\tcode\tphrase\tright\twrong\nout wiped\tR53.83\twiped out\t3\t1\n", encoding="utf-8")
    assert learn.load(path) == rows
    # ... and so does one that wrote the words before the code: they are read again from the phrase
    path.write_text("words\tcode\tphrase\tright\twrong\twhen\nout wiped\tR53.83\twiped out\t3\t1\tany\n",
                    encoding="utf-8")
    assert learn.load(path) == rows


def test_train_learns_a_pertinent_negative_kept_only_when_denied(detect_kb, tmp_path: Path) -> None:
    base = dictionary_for(detect_kb, False)

    def denied(text: str, phrase: str) -> dict:
        note = _note(text, (phrase, "R50.9"))
        note["mentions"][0]["traits"] = {"NEGATION"}
        return note

    notes = [
        denied("Exam: no shaking rigors.", "shaking rigors"),
        denied("Denies shaking rigors or rash.", "shaking rigors"),
        denied("ROS: no shaking rigors.", "shaking rigors"),
        # asserted, the words describe what the note names otherwise, and coders leave them uncoded
        _note("Shaking rigors after the infusion, reaction documented."),
        _note("Shaking rigors with the transfusion again."),
        _note("Shaking rigors resolved with warming."),
    ]
    rows = {(" ".join(sorted(x.words)), x.when): (x.right, x.wrong) for x in learn.train(notes, base)}
    assert ("rigor shaking", "any") not in rows  # right 3 of 6 as an ordinary phrase: too vague
    assert rows[("rigor shaking", "denied")] == (3, 0)

    path = tmp_path / "neg.tsv"
    path.write_text(learn.dump(learn.train(notes, base)), encoding="utf-8")
    det = Detector(detect_kb, learned=path)
    [ent] = det.detect("Abdomen soft, no shaking rigors.")
    assert ent.text == "shaking rigors" and "NEGATION" in {t.name for t in ent.traits}
    assert "kept only when denied" in ent.concepts[0].evidence
    assert "3 of 3 times" in ent.concepts[0].evidence
    assert det.detect("Shaking rigors overnight.") == []
    assert learn.train(notes, base, denied=False) == []


def test_packaged_table_loads() -> None:
    table = learn.load()
    assert table and all(x.right >= 1 and x.precision >= 0.6 for x in table if x.when == "any")
    denied = [x for x in table if x.when == "denied"]
    assert denied and all(x.right >= 1 and x.precision >= 0.5 for x in denied)


def _table(tmp_path: Path, *rows: tuple[str, str, str, int, int]) -> Path:
    path = tmp_path / "learned.tsv"
    path.write_text(learn.dump([learn.Learned(frozenset(w.split()), c, p, r, n) for w, c, p, r, n in rows]),
                    encoding="utf-8")
    return path


def test_detector_uses_a_learned_phrase_with_evidence_and_context(detect_kb, tmp_path: Path) -> None:
    det = Detector(detect_kb, learned=_table(tmp_path, ("out wiped", "R53.83", "wiped out", 4, 1)))
    [ent] = det.detect("Feels wiped out since Monday.")
    assert ent.text == "wiped out" and ent.concepts[0].code == "R53.83"
    assert 'learned phrase "wiped out"' in ent.concepts[0].evidence and "right 4 of 5 times" in ent.concepts[0].evidence
    [ent] = det.detect("Not wiped out today.")
    assert ent.has("NEGATION")
    # without the table the rules alone do not know the phrase
    assert not Detector(detect_kb, learned=False).detect("Feels wiped out since Monday.")


def test_curated_patterns_win_over_learned_phrases(detect_kb, tmp_path: Path) -> None:
    det = Detector(detect_kb, learned=_table(tmp_path, ("non smoker", "F17.200", "Non-smoker", 3, 0)))
    [ent] = det.detect("Non-smoker.")
    assert ent.has("NEGATION")  # the tobacco pattern's reading, not an asserted learned F17.200


def test_learned_words_do_not_change_spelling_correction(detect_kb, tmp_path: Path) -> None:
    det = Detector(detect_kb, learned=_table(tmp_path, ("coughing persistent", "R05.9", "persistent coughing", 2, 0)))
    assert det.dictionary.vocabulary == dictionary_for(detect_kb, False).vocabulary


_CODED = '''
[[note]]
id = "a"
text = """Feels wiped out all week. No cough."""
[[note.mention]]
text = "wiped out"
code = "R53.83"
[[note.mention]]
text = "cough"
code = "R05.9"
traits = ["NEGATION"]

[[note]]
id = "b"
text = """Still wiped out after the flu."""
[[note.mention]]
text = "wiped out"
code = "R53.83"
'''


def test_read_coded_locates_mentions_and_reports_errors(tmp_path: Path) -> None:
    path = tmp_path / "coded.toml"
    path.write_text(_CODED, encoding="utf-8")
    a, b = learn.read_coded(path)
    assert a["text"][a["mentions"][1]["begin"]:a["mentions"][1]["end"]] == "cough"
    assert a["mentions"][1]["traits"] == {"NEGATION"} and b["id"] == "b"
    path.write_text(_CODED.replace('text = "cough"', 'text = "sneeze"'), encoding="utf-8")
    with pytest.raises(ConfigError, match="note 'a': mention 'sneeze' not found"):
        learn.read_coded(path)
    path.write_text("[[note]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="coded.toml"):
        learn.read_coded(path)


def test_cli_learns_a_table_and_detect_uses_it(detect_kb_path, tmp_path: Path) -> None:
    import typer
    from typer.testing import CliRunner

    from medcode.cli import detect as detect_cli
    from medcode.cli import main

    app = typer.Typer()
    app.callback()(main)
    detect_cli.register(app)
    coded, table, note = tmp_path / "coded.toml", tmp_path / "phrases.tsv", tmp_path / "note.txt"
    coded.write_text(_CODED, encoding="utf-8")
    note.write_text("Pt wiped out since Monday.", encoding="utf-8")
    res = CliRunner().invoke(app, ["--kb", str(detect_kb_path), "detect-learn", str(coded), "--out", str(table)])
    assert res.exit_code == 0, res.output
    assert any(x.code == "R53.83" for x in learn.load(table))
    res = CliRunner().invoke(app, ["--kb", str(detect_kb_path), "detect", str(note), "--format", "json",
                                   "--phrases", str(table)])
    assert res.exit_code == 0, res.output
    [ent] = json.loads(res.stdout)["entities"]
    assert ent["concepts"][0]["code"] == "R53.83" and "learned phrase" in ent["concepts"][0]["evidence"]
    res = CliRunner().invoke(app, ["--kb", str(detect_kb_path), "detect", str(note), "--format", "json",
                                   "--phrases", "none"])
    assert res.exit_code == 0 and json.loads(res.stdout)["entities"] == []
    res = CliRunner().invoke(app, ["--kb", str(detect_kb_path), "detect", str(note), "--phrases", str(tmp_path / "x")])
    assert res.exit_code != 0 and "does not exist" in res.output


def test_a_capitalised_one_word_phrase_is_an_acronym() -> None:
    assert learn.phrase_words("DRESS") == frozenset({"acr:dress"})
    assert learn.phrase_words("dress") == frozenset({"dress"})
    assert learn.phrase_words("COPD exacerbation") == frozenset({"copd", "exacerbation"})


def test_a_phrase_coded_against_the_rules_needs_more_precision(detect_kb) -> None:
    base = dictionary_for(detect_kb, False)
    # "cough" is coded to fatigue in 2 of 3 places: enough for a phrase of its own, not against the rules
    notes = [_note("Cough all day.", ("Cough", "R53.83")), _note("Cough again.", ("Cough", "R53.83")),
             _note("Mild cough.")]
    plain = learn.train(notes, base, min_support=1)
    checked = learn.train(notes, base, min_support=1, reading=learn.rules_reading(detect_kb))
    assert any(x.code == "R53.83" for x in plain) and not any(x.code == "R53.83" for x in checked)


def test_a_learned_code_takes_its_side_from_the_note(detect_kb, tmp_path: Path) -> None:
    # learned from notes about right knees, the phrase says nothing about a side of its own
    det = Detector(detect_kb, learned=_table(tmp_path, ("ache knee", "M25.561", "knee ache", 4, 0)))
    assert det.detect("Knee ache for a week.")[0].concepts[0].code == "M25.569"
    assert det.detect("Left knee ache for a week.")[0].concepts[0].code == "M25.562"


def test_a_pair_of_findings_is_two_entities(detect_kb, tmp_path: Path) -> None:
    # a phrase learned for the pair ("cough/fever") does not swallow two findings a coder codes apart
    det = Detector(detect_kb, learned=_table(tmp_path, ("cough fever", "R05.9", "cough/fever", 3, 0)))
    for text in ("Cough/fever since Monday.", "Cough or fever since Monday."):
        found = {e.text.lower(): e.concepts[0].code for e in det.detect(text)}
        assert found == {"cough": "R05.9", "fever": "R50.9"}, text


def test_a_label_whose_number_was_the_finding_is_not_learned(detect_kb) -> None:
    base = dictionary_for(detect_kb, False)
    notes = [_note(f"Vitals: Tmax {t}.", (f"Tmax {t}", "R50.9")) for t in ("38.6", "39.1", "38.2")]
    # "Tmax" alone says nothing: the value made it a fever, and "Tmax 36.8" is none
    assert not any("tmax" in x.words for x in learn.train(notes, base, min_support=1))
    # nor do two measurement words: "BP on arrival 88/50" made "BP on arrival 224/126" hypotension
    notes = [_note(f"ED: BP on arrival {v}.", (f"BP on arrival {v}", "I95.9")) for v in ("88/50", "82/44")]
    assert not any("arrival" in x.words for x in learn.train(notes, base, min_support=1))


def test_a_learned_phrase_that_took_a_cue_along_still_reads_it(detect_kb, tmp_path: Path) -> None:
    # coders wrote "fever returns" under a return precaution; the phrase then matches "Return if fever"
    det = Detector(detect_kb, learned=_table(tmp_path, ("fever return", "R50.9", "fever returns", 9, 0)),
                   agreement=False)
    (ent,) = det.detect("Return if fever.")
    assert ent.concepts[0].code == "R50.9" and ent.has("HYPOTHETICAL")


def test_a_learned_code_keeps_its_other_details_when_the_side_changes(detect_kb, tmp_path: Path) -> None:
    det = Detector(detect_kb, learned=_table(tmp_path, ("cellulitis foot", "L03.115", "Cellulitis R foot", 5, 0)),
                   agreement=False)
    (ent,) = det.detect("Cellulitis L foot.")
    assert ent.concepts[0].code == "L03.116"  # left lower limb, not L03.112 left axilla
    assert "as learned: lower" in ent.concepts[0].evidence
    (ent,) = det.detect("Cellulitis R foot.")
    assert ent.concepts[0].code == "L03.115"


def test_table_as_a_folder_of_letters(tmp_path: Path) -> None:
    # the packaged layout: one file per first letter of the code, read back in the learned order
    rows = [learn.Learned(learn.phrase_words(p), code, p, 3, 1)
            for code, p in (("I10", "high blood pressure"), ("R53.83", "wiped out"), ("R53.83", "tired"))]
    folder = tmp_path / "learned"
    folder.mkdir()
    (folder / "Z.tsv").write_text(learn.dump([]), encoding="utf-8")  # a letter with no phrases left goes
    learn.write_parts(rows, folder)
    assert sorted(f.name for f in folder.iterdir()) == ["I.tsv", "R.tsv"]
    assert learn.load(folder) == rows
    (folder / "R.tsv").write_text("code\tphrase\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"R\.tsv: expected the header"):
        learn.load(folder)


def test_the_packaged_table_is_a_folder_of_letters() -> None:
    from importlib import resources

    folder = resources.files("medcode.detect").joinpath(learn.FILE)
    names = [f.name for f in folder.iterdir() if f.name.endswith(".tsv")]
    assert names and all(len(n) == len("R.tsv") and n[0].isupper() for n in names)
