"""Conditions stated with numbers or verbs (weight lost, smoking), found by the patterns in patterns.toml."""

from __future__ import annotations

import pytest

from medcode.detect import detect
from medcode.detect.patterns import load_patterns
from medcode.errors import ConfigError


def _found(kb, text: str) -> list[tuple[str, str, set[str]]]:
    return [(e.text, e.concepts[0].code, {t.name for t in e.traits}) for e in detect(text, kb) if e.concepts]


@pytest.mark.parametrize(
    ("text", "span", "code"),
    [
        ("Lost 3 kg since June.", "Lost 3 kg", "R63.4"),
        ("She has lost about 10 lbs unintentionally.", "lost about 10 lbs", "R63.4"),
        ("Weight down 2.5 kg in 30 days.", "down 2.5 kg", "R63.4"),
        ("Gained 8 kg over the winter.", "Gained 8 kg", "R63.5"),
        ("Smokes 1 ppd.", "Smokes", "F17.210"),          # "ppd" makes it cigarettes
        ("Current smoker.", "Current smoker", "F17.200"),
    ],
)
def test_pattern_mentions(detect_kb, text: str, span: str, code: str) -> None:
    assert (span, code) in {(t, c) for t, c, _ in _found(detect_kb, text)}


@pytest.mark.parametrize(
    ("text", "trait"),
    [
        ("Former smoker, 30 pack-years.", "HISTORY"),
        ("Quit smoking 5 years ago.", "HISTORY"),
        ("Never smoker.", "NEGATION"),
        ("Non-smoker.", "NEGATION"),
    ],
)
def test_tobacco_context(detect_kb, text: str, trait: str) -> None:
    [(_, code, traits)] = _found(detect_kb, text)
    assert code.startswith("F17.2") and trait in traits


def test_not_a_condition(detect_kb) -> None:
    for text in ("Smoking cessation advised.", "Secondhand smoke exposure.", "Cystoscopy given smoking history."):
        assert not [c for _, c, _ in _found(detect_kb, text) if c.startswith("F17")], text


def test_bad_pattern_rejected() -> None:
    with pytest.raises(ConfigError, match="bad regex"):
        load_patterns('[[pattern]]\nname = "x"\nregex = "("\ncode = "R63.4"\n')
    with pytest.raises(ConfigError, match="unknown keys"):
        load_patterns('[[pattern]]\nname = "x"\nregex = "y"\ncode = "R63.4"\nscore = 1\n')
