"""Table-driven cases per category: (text, the substring that must be covered, its label)."""

from __future__ import annotations

import pytest

from medcode.phi import LABELS, PhiConfigError
from medcode.phi.recognizers import Recognizer, load_config

CASES = [
    # names: patients, relatives, clinicians, all-caps, Last, First, initials, ordinary words
    ("Patient: John Smith   MRN: 00123456", "John Smith", "NAME"),
    ("Patient: SMITH, JOHN A   MRN: 00123456", "SMITH, JOHN A", "NAME"),
    ("Seen by Dr. Hope today.", "Hope", "NAME"),
    ("Her daughter Grace visited.", "Grace", "NAME"),
    ("Electronically signed by Anna S., MD", "Anna S.", "NAME"),
    ("Follow up with Kevin Murphy, RN.", "Kevin Murphy", "NAME"),
    ("Guarantor: Cintron, Evelio\n", "Cintron, Evelio", "NAME"),
    # geography smaller than a state
    ("Lives at 42 Oak Street, Apt 3B.", "42 Oak Street, Apt 3B", "ADDRESS"),
    ("Mail to P.O. Box 1234.", "P.O. Box 1234", "ADDRESS"),
    ("Springfield, IL 62704", "Springfield", "LOCATION"),
    ("Springfield, IL 62704", "62704", "ZIP"),
    ("Lives alone in Port Alicia, IL.", "Port Alicia", "LOCATION"),
    ("Resident of Suffolk County.", "Suffolk County", "LOCATION"),
    ("Transferred from Riverside Medical Center yesterday.", "Riverside Medical Center", "FACILITY"),
    ("Seen at St. Mary's Hospital.", "St. Mary's Hospital", "FACILITY"),
    # dates in written forms, ages over 89
    ("Admitted 3/4/2024.", "3/4/2024", "DATE"),
    ("Seen on 3/4 for follow-up.", "3/4", "DATE"),
    ("Surgery on Mar 4th went well.", "Mar 4th", "DATE"),
    ("Collected 04-Mar-2024.", "04-Mar-2024", "DATE"),
    ("Returned on the 2nd of March.", "2nd of March", "DATE"),
    ("Visit 2024-03-04.", "2024-03-04", "DATE"),
    ("Symptoms began in March.", "March", "DATE"),
    ("A 92-year-old woman.", "92", "AGE"),
    ("Patient is 95 yo.", "95", "AGE"),
    ("A woman in her 90s.", "90s", "AGE"),
    # numbers
    ("Call (617) 555-0142.", "(617) 555-0142", "PHONE"),
    ("Fax: 617.555.0199", "617.555.0199", "FAX"),
    ("Email mary.n@example.com today", "mary.n@example.com", "EMAIL"),
    ("SSN 212-45-6789", "212-45-6789", "SSN"),
    ("MRN: 00123456", "00123456", "MRN"),
    ("Med Rec #: 823511", "823511", "MRN"),
    ("Medicare MBI: 1EG4-TE5-MK73", "1EG4-TE5-MK73", "HEALTH_PLAN"),
    ("Member ID: XYZ123456789", "XYZ123456789", "HEALTH_PLAN"),
    ("Account #: 5551234567", "5551234567", "ACCOUNT"),
    ("DEA# AB1234563", "AB1234563", "LICENSE"),
    ("NPI: 1234567893", "1234567893", "LICENSE"),
    ("VIN 1HGCM82633A004352", "1HGCM82633A004352", "VEHICLE"),
    ("License plate 7ABC123", "7ABC123", "VEHICLE"),
    ("Pacemaker serial number: PM2847193", "PM2847193", "DEVICE"),
    ("Implant UDI: (01)00884838001234(17)250101(21)AB123", "(01)00884838001234(17)250101(21)AB123", "DEVICE"),
    ("See https://portal.example.org/p/123 now", "https://portal.example.org/p/123", "URL"),
    ("Connected from IP 192.168.10.24.", "192.168.10.24", "IP"),
    ("Fingerprint ID: FP-88213", "FP-88213", "BIOMETRIC"),
    ("Accession #: S24-12345", "S24-12345", "ID"),
]


@pytest.mark.parametrize("text, phi, label", CASES)
def test_category(analyzer, text, phi, label):
    start = text.index(phi)
    spans = analyzer.find(text)
    covering = [s for s in spans if s.start <= start and s.end >= start + len(phi)]
    assert covering, f"{phi!r} not covered in {text!r}: {spans}"
    assert covering[0].label == label


def test_every_label_is_tested():
    assert {label for _, _, label in CASES} == set(LABELS)


def test_config_loads_and_round_trips():
    cfg = load_config()
    for rec in cfg.recognizers:
        again = Recognizer.from_dict(rec.to_dict())
        assert again == rec


@pytest.mark.parametrize("bad, message", [
    ({"id": "x", "label": "NAME", "patterns": [{"id": "a", "regex": "x", "score": 0.5}], "colour": 1}, "unknown key"),
    ({"id": "x", "label": "NOPE", "patterns": [{"id": "a", "regex": "x", "score": 0.5}]}, "unknown label"),
    ({"id": "x", "label": "NAME", "patterns": [{"id": "a", "regex": "(", "score": 0.5}]}, "bad regex"),
    ({"id": "x", "label": "NAME", "patterns": [{"id": "a", "regex": "x", "score": 2}]}, "score"),
    ({"id": "x", "label": "NAME", "validator": "nope", "patterns": [{"id": "a", "regex": "x", "score": 0.5}]}, "validator"),
])
def test_loader_rejects(bad, message):
    with pytest.raises(PhiConfigError, match=message):
        Recognizer.from_dict(bad)
