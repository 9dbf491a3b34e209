"""Tests for the Place of Service importer (code list JSON/CSV and the descriptions CSV)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from fixture_edit import assert_names_place, copy_fixture
from fixture_edit import replace_in_line as _replace_in_line

from medcode.codesets import place_of_service as pos
from medcode.errors import ImportFormatError

JSON = "place_of_service/cms_pos.json"
DESC = "place_of_service/pos_codes_with_descriptions_2024.csv"
NAMES = [("11", "Office"), ("19", "Off Campus-Outpatient Hospital"), ("22", "On Campus-Outpatient Hospital"),
         ("24", "Ambulatory Surgical Center")]


def _copy(data_dir: Path, tmp_path: Path, rel: str, edit: Callable[[list[bytes]], list[bytes]] | None = None,
          name: str | None = None) -> Path:
    return copy_fixture(data_dir / rel, tmp_path, edit, name, b"\n")




def _known(path: Path, monkeypatch, label="CMS POS code set, page as of 2026-10-08", effective="2026-10-08"):
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    monkeypatch.setitem(pos.KNOWN_RELEASES, digest, (label, effective))


def test_json_codes_with_known_release(sink, data_dir, monkeypatch):
    _known(data_dir / JSON, monkeypatch)
    pos.load(data_dir / JSON, sink)
    assert sink.sources == [dict(dataset="pos", publisher="CMS", release="CMS POS code set, page as of 2026-10-08",
                                 effective="2026-10-08", complete=True, systems=("POS",))]
    assert sink.codes == [dict(system="POS", code=c, title=n, kind="code") for c, n in NAMES]


@pytest.mark.parametrize(
    ("edit", "name", "release", "effective"),
    [
        (None, "cms_pos_2026-10-08.json", "CMS POS code set, as of 2026-10-08", "2026-10-08"),
        (_replace_in_line(2, b'"code_system"', b'"retrieved": "2026-10-08", "code_system"'), None,
         "CMS POS code set, as of 2026-10-08", "2026-10-08"),
    ],
)
def test_json_release_from_file_or_name(sink, data_dir, tmp_path, edit, name, release, effective):
    pos.load(_copy(data_dir, tmp_path, JSON, edit, name=name), sink)
    assert (sink.sources[0]["release"], sink.sources[0]["effective"]) == (release, effective)
    assert len(sink.codes) == 4


def test_mirror_file_hashes_are_documented():
    assert {v[1] for v in pos.KNOWN_RELEASES.values()} == {"2026-10-08", "2024-06-28"}


def test_csv_code_list(sink, tmp_path):
    path = tmp_path / "place_of_service_2026-10-08.csv"
    path.write_text("pos_code,pos_name\n" + "".join(f"{c},{n}\n" for c, n in NAMES), encoding="utf-8")
    pos.load(path, sink)
    assert sink.sources[0]["dataset"] == "pos"
    assert sink.sources[0]["effective"] == "2026-10-08"
    assert [(c["code"], c["title"]) for c in sink.codes] == NAMES


def test_descriptions(sink, data_dir):
    pos.load(data_dir / DESC, sink)
    assert sink.sources == [dict(dataset="pos-descriptions", publisher="CMS", release="CMS POS descriptions 2024",
                                 effective="2024-01-01", complete=False, systems=())]
    assert sink.codes == []
    assert [(n["system"], n["code"], n["kind"]) for n in sink.notes] == [
        ("POS", "11", "description"), ("POS", "19", "description"), ("POS", "22", "description"),
        ("POS", "24", "description"),
    ]  # 28 "Unassigned" is skipped
    assert sink.notes[2]["text"] == "A portion of a hospital’s main campus serving outpatients (fixture wording)."
    assert sink.notes[0]["refs"] == ()


def test_patterns_skip_the_csv_made_from_the_json(tmp_path):
    for name in ("cms_pos.json", "place_of_service.csv", "pos_codes_with_descriptions_2024.csv"):
        (tmp_path / "place_of_service").mkdir(exist_ok=True)
        (tmp_path / "place_of_service" / name).write_text("")
    found = sorted(p.name for pattern in pos.PATTERNS for p in tmp_path.glob(pattern))
    assert found == ["cms_pos.json", "pos_codes_with_descriptions_2024.csv"]


@pytest.mark.parametrize(
    ("case", "rel", "edit", "name", "line", "problem"),
    [
        ("json: syntax", JSON, _replace_in_line(4, b'"Office"}', b'"Office"'), "cms_pos_2026-10-08.json", 5,
         "invalid JSON"),
        ("json: bad code", JSON, _replace_in_line(5, b'"19"', b'"190"'), "cms_pos_2026-10-08.json", 5,
         "POS code '190' is not two digits"),
        ("json: no name", JSON, _replace_in_line(6, b'"On Campus-Outpatient Hospital"', b'""'),
         "cms_pos_2026-10-08.json", 6, "POS code 22 has no name"),
        ("json: no codes list", JSON, lambda lines: [b'{"code_system": "x"}'], "cms_pos_2026-10-08.json", 1,
         "expected an object with a 'codes' list"),
        ("json: bad date key", JSON, _replace_in_line(2, b'"code_system"', b'"retrieved": "Oct 2026", "code_system"'),
         None, None, "'Oct 2026' is not a YYYY-MM-DD date"),
        ("descriptions: missing column", DESC, _replace_in_line(1, b"pos_description", b"text"), None, 1,
         "no column for"),
        ("descriptions: bad code", DESC, _replace_in_line(3, b"19,", b"A9,"), None, 3, "POS code 'A9'"),
        ("descriptions: short row", DESC, _replace_in_line(4, b",Facility", b""), None, 4,
         "expected 4 columns like the header, found 3"),
        ("descriptions: undecodable", DESC, _replace_in_line(5, b"freestanding", b"free\xffstanding"), None, 5,
         "cannot be decoded"),
        ("empty file", DESC, lambda lines: [b""], None, 1, "the file is empty"),
    ],
)
def test_malformed(sink, data_dir, tmp_path, case, rel, edit, name, line, problem):
    path = _copy(data_dir, tmp_path, rel, edit, name=name)
    with pytest.raises(ImportFormatError) as err:
        pos.load(path, sink)
    assert_names_place(err.value, path, line, problem, case)


def test_undated_file_is_dated_by_its_file_time(sink, data_dir, tmp_path):
    import os

    path = _copy(data_dir, tmp_path, JSON)
    os.utime(path, (1_790_000_000, 1_790_000_000))  # 2026-09-21 UTC
    pos.load(path, sink)
    assert sink.sources[0]["effective"] == "2026-09-21"
    assert "dated by file time" in sink.sources[0]["release"]
