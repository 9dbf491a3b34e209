from __future__ import annotations

import pytest

from medcode.phi.validators import dea, luhn, mbi, npi, numeric_date, ssn, text_date, vin


@pytest.mark.parametrize("fn, value, ok", [
    (luhn, "4539 1488 0343 6467", True), (luhn, "4539 1488 0343 6468", False),
    (npi, "1234567893", True), (npi, "1234567890", False),
    (ssn, "123-45-6789", False), (ssn, "219-09-9998", True), (ssn, "666-12-3456", False),
    (mbi, "1EG4-TE5-MK73", True), (mbi, "1EG4-TE5-MK7", False), (mbi, "1SG4TE5MK73", False),
    (dea, "AB1234563", True), (dea, "AB1234567", False),
    (numeric_date, "2/30/2024", False), (numeric_date, "12/31/2024", True), (numeric_date, "31/12/2024", True),
    (text_date, "Feb 30", False), (text_date, "Mar 4th", True),
])
def test_validators(fn, value, ok):
    assert bool(fn(value)) is ok


def test_vin_check_digit():
    assert vin("1HGCM82633A004352") == 0.95
    assert vin("1HGCM82633A004353") == 0.6
