"""One shared analyzer per test session (building the word lists takes a few seconds once)."""

from __future__ import annotations

import pytest

from medcode.phi import default_analyzer


@pytest.fixture(scope="session")
def analyzer():
    return default_analyzer()


def labels_of(analyzer, text):
    return [(text[s.start:s.end], s.label) for s in analyzer.find(text)]
