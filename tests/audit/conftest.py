"""A knowledge base whose fee-schedule fixtures also list the office visit codes (99202-99215), so
time claims about them reach the time check instead of stopping at "no such code"."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
VISITS = ("99202", "99203", "99204", "99205", "99211", "99212", "99214", "99215")


@pytest.fixture(scope="session")
def visits_workbench(tmp_path_factory: pytest.TempPathFactory):
    from medcode import Workbench
    from medcode.kb.build import build

    root = tmp_path_factory.mktemp("kb_visits")
    mirror = root / "mirror"
    shutil.copytree(DATA, mirror)
    for rvu in (mirror / "mpfs_rvu").glob("PPRRVU*.csv"):
        lines = rvu.read_text(encoding="latin-1").splitlines(keepends=True)
        row = next(ln for ln in lines if ln.startswith("99213,"))
        rvu.write_text("".join(lines) + "".join(row.replace("99213", c) for c in VISITS), encoding="latin-1")
    build(root / "kb.sqlite", mirror)
    wb = Workbench(root / "kb.sqlite")
    yield wb
    wb.close()
