"""A knowledge base with an invented licensed-CPT descriptor file, for the descriptor matcher."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="session")
def words_workbench(tmp_path_factory: pytest.TempPathFactory):
    from medcode import Workbench
    from medcode.kb.build import build

    path = tmp_path_factory.mktemp("kb_words") / "kb.sqlite"
    build(path, DATA, cpt_files=[DATA / "cpt_licensed" / "SuggestDescriptors_2026.txt"])
    wb = Workbench(path)
    yield wb
    wb.close()
