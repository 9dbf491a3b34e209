"""Operators: redact, mask, surrogate (consistency, date shifting, ages over 89)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from medcode.phi import RedactionError, redact
from medcode.phi.surrogate import Surrogates

NOTE = ("Patient: John Smith   MRN: 00123456   DOB: 03/04/1931\n"
        "John Smith is a 92-year-old seen on 03/10/2024 and 03/20/2024 by Dr. Hope.")


def test_redact_labels_and_offsets(analyzer):
    r = redact(NOTE, analyzer=analyzer)
    assert "[NAME]" in r.text and "[MRN]" in r.text and "[DATE]" in r.text and "[AGE]" in r.text
    assert "Smith" not in r.text and "00123456" not in r.text
    for s in r.spans:
        assert 0 <= s.start < s.end <= len(NOTE)


def test_mask_keeps_length(analyzer):
    r = redact(NOTE, "mask", analyzer=analyzer)
    assert len(r.text) == len(NOTE)
    assert "Smith" not in r.text


def test_surrogate_consistent_within_and_across_documents(analyzer):
    a = redact(NOTE, "surrogate", key="patient-42", analyzer=analyzer)
    b = redact(NOTE, "surrogate", key="patient-42", analyzer=analyzer)
    c = redact(NOTE, "surrogate", key="patient-43", analyzer=analyzer)
    assert a.text == b.text
    assert a.text != c.text
    first_line, second = a.text.split("\n")
    fake = first_line.split("Patient: ")[1].split("   ")[0]
    assert second.startswith(fake)  # the same name gets the same fake in one document
    assert "Smith" not in a.text


def test_surrogate_without_key_is_consistent_within_document(analyzer):
    r = redact(NOTE, "surrogate", analyzer=analyzer)
    first_line, second = r.text.split("\n")
    assert second.startswith(first_line.split("Patient: ")[1].split("   ")[0])


def test_dates_shift_by_one_offset(analyzer):
    r = redact(NOTE, "surrogate", key="k", analyzer=analyzer)
    dates = re.findall(r"\d{2}/\d{2}/\d{4}", r.text)
    parsed = [dt.datetime.strptime(d, "%m/%d/%Y").date() for d in dates]
    originals = [dt.date(1931, 3, 4), dt.date(2024, 3, 10), dt.date(2024, 3, 20)]
    shifts = {(p - o).days for p, o in zip(parsed, originals)}
    assert len(shifts) == 1 and 0 not in shifts
    assert (parsed[2] - parsed[1]).days == 10  # intervals survive


def test_age_over_89_becomes_90_plus(analyzer):
    assert "90+-year-old" in redact(NOTE, "surrogate", key="k", analyzer=analyzer).text


@pytest.mark.parametrize("original", ["March 4, 2024", "Mar 4th", "04-Mar-2024", "2024-03-04", "3/4"])
def test_text_dates_shift(original):
    fake = Surrogates("k").date(original)
    assert fake != original and fake != "[DATE]"


def test_unknown_mode():
    with pytest.raises(RedactionError):
        redact("x", mode="shred")
