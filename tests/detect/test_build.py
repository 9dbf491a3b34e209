"""The built package runs the detector compiled (setup.py); an editable install runs the same source."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from medcode.detect import _data, detector, matcher

SRC = Path(__file__).resolve().parents[2] / "src"


def test_a_built_install_compiles_the_detector() -> None:
    if Path(detector.__file__).resolve().is_relative_to(SRC):
        pytest.skip("editable install or src on the path: plain Python by design")
    if os.environ.get("MEDCODE_PURE", "") not in ("", "0"):
        pytest.skip("MEDCODE_PURE asks for plain Python")
    # a type error or a missing compiler makes setup.py fall back to plain Python with a warning only;
    # this is where CI, which tests the built install, notices
    for module in (detector, matcher, _data):
        assert not module.__file__.endswith(".py"), f"{module.__name__} was not compiled: see the build log"
