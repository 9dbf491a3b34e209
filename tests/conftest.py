"""Session fixtures: one tiny knowledge base built from the fixture files in tests/data.

tests/data is laid out like a mirror of the publishers' downloads (each folder as the publisher
names it), so the real discovery and import code runs on it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
# The CMS place-of-service page carries no date, so its file is dated by modification time (see
# medcode.codesets.place_of_service). A checkout sets that to the clone time; pin it so the golden
# pages do not change with the day the tests run.
FIXED_MTIME = 1795348800  # 2026-11-22 12:00 UTC
for _undated in (DATA / "place_of_service").glob("cms_pos*.json"):
    os.utime(_undated, (FIXED_MTIME, FIXED_MTIME))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files instead of comparing")


@pytest.fixture(scope="session")
def fixture_mirror() -> Path:
    return DATA


@pytest.fixture(scope="session")
def kb_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from medcode.kb.build import build

    path = tmp_path_factory.mktemp("kb") / "kb.sqlite"
    build(path, DATA, cpt_files=[DATA / "cpt_licensed" / "ClinicianDescriptor_2026.txt"])
    return path


@pytest.fixture(scope="session")
def kb_nocpt_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from medcode.kb.build import build

    path = tmp_path_factory.mktemp("kb_nocpt") / "kb.sqlite"
    build(path, DATA)
    return path


@pytest.fixture(scope="session")
def workbench(kb_path: Path):
    from medcode import Workbench

    wb = Workbench(kb_path)
    yield wb
    wb.close()


@pytest.fixture
def mirror_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture mirror, for tests that add or break files."""
    dest = tmp_path / "mirror"
    shutil.copytree(DATA, dest)
    return dest
