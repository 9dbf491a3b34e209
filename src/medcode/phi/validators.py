"""Checks that a matched string really is the identifier a pattern claims it is.

A recognizer in ``recognizers.toml`` names a validator with ``validator = "luhn"``; the loader looks
the name up in :data:`VALIDATORS` and refuses a name that is not there. A validator takes the matched
text and returns ``True`` (keep), ``False`` (drop) or a float (the new score). This module owns no
patterns and no context logic.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import re
from collections.abc import Callable

Validator = Callable[[str], "bool | float"]

_DIGITS = re.compile(r"\d")
# compiled once: validators run for thousands of matches per megabyte
_DEA_SHAPE = re.compile(r"[A-Z][A-Z9]\d{7}")
_SMALL_NUMBER = re.compile(r"\d{1,3}(\.\d+)?")
_DAY_NUMBER = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\b(?![:\d])")
_LETTERS3 = re.compile(r"[a-z]{3,}")
_WORDS = re.compile(r"[A-Za-z][A-Za-z'’&\-]*")


def _digits(text: str) -> str:
    return "".join(_DIGITS.findall(text))


def luhn(text: str) -> bool:
    """Luhn (mod 10) check over the digits of ``text``.

    >>> luhn("4539 1488 0343 6467"), luhn("4539 1488 0343 6468")
    (True, False)
    """
    digits = _digits(text)
    if len(digits) < 2:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def npi(text: str) -> bool:
    """A National Provider Identifier: 10 digits whose Luhn check uses the 80840 prefix."""
    digits = _digits(text)
    return len(digits) == 10 and digits[0] in "12" and luhn("80840" + digits)


def ssn(text: str) -> bool:
    """SSA rules: area not 000, 666 or 9xx; group not 00; serial not 0000; no all-same digits."""
    digits = _digits(text)
    if len(digits) != 9 or len(set(digits)) == 1:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area[0] == "9":
        return False
    if digits in ("123456789", "078051120", "219099999"):
        return False
    return group != "00" and serial != "0000"


# Medicare Beneficiary Identifier: positions 1,4,7,10,11 numeric (1 is 1-9); 2,5,8,9 letters;
# 3 and 6 letter or digit. Letters exclude S L O I B Z.
_MBI_A = "ACDEFGHJKMNPQRTUVWXY"
_MBI_AN = _MBI_A + "0123456789"
_MBI_SHAPE = ("123456789", _MBI_A, _MBI_AN, "0123456789", _MBI_A, _MBI_AN, "0123456789",
              _MBI_A, _MBI_A, "0123456789", "0123456789")


def mbi(text: str) -> bool:
    """Medicare Beneficiary Identifier format (11 characters, dashes allowed).

    >>> mbi("1EG4-TE5-MK73"), mbi("1EG4-TE5-MK7")
    (True, False)
    """
    chars = text.replace("-", "").replace(" ", "").upper()
    if len(chars) != 11:
        return False
    return all(c in allowed for c, allowed in zip(chars, _MBI_SHAPE))


def dea(text: str) -> bool:
    """DEA registration number: two letters, seven digits, weighted check digit."""
    t = text.strip().upper()
    if not _DEA_SHAPE.fullmatch(t):
        return False
    d = [int(c) for c in t[2:]]
    check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
    return check == d[6]


_VIN_VALUES = {**{str(i): i for i in range(10)},
               **dict(zip("ABCDEFGH", range(1, 9))), **dict(zip("JKLMN", range(1, 6))),
               "P": 7, "R": 9, **dict(zip("STUVWXYZ", range(2, 10)))}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin(text: str) -> float:
    """17-character VIN: 0.95 when the check digit holds, 0.6 for the right shape only."""
    t = text.upper()
    if len(t) != 17 or any(c not in _VIN_VALUES for c in t):
        return False
    if not any(c.isdigit() for c in t) or t.isdigit():
        return False
    total = sum(_VIN_VALUES[c] * w for c, w in zip(t, _VIN_WEIGHTS))
    check = total % 11
    return 0.95 if t[8] == ("X" if check == 10 else str(check)) else 0.6


def ipv4(text: str) -> bool:
    try:
        addr = ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return not addr.is_unspecified


def ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return text.count(":") >= 2


def has_digit(text: str) -> bool:
    """An identifier token must carry at least one digit (so "MRN: unknown" is not a hit)."""
    return any(c.isdigit() for c in text)


def id_token(text: str) -> bool:
    """A labelled identifier: at least two digits, and not a bare dose or measurement."""
    n = sum(map(str.isdigit, text))
    return n >= 2 and not _SMALL_NUMBER.fullmatch(text)


def phone_digits(text: str) -> bool:
    """10 digits (11 with a leading 1); area code and exchange must not start with 0 or 1."""
    digits = _digits(text.split("x")[0].split("X")[0].split("e")[0])
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if len(digits) == 7:
        return digits[0] not in "01"
    return len(digits) == 10 and digits[0] not in "01" and digits[3] not in "01"


def zip_code(text: str) -> bool:
    digits = _digits(text)
    return len(digits) in (5, 9) and digits[:5] != "00000"


_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}


def _month_of(token: str) -> int | None:
    t = token.lower().rstrip(".")
    if t.isdigit():
        v = int(t)
        return v if 1 <= v <= 12 else None
    if t.startswith("sept"):
        return 9
    return _MONTHS.get(t[:3])


def _valid_day(year: int | None, month: int, day: int) -> bool:
    try:
        _dt.date(year if year is not None else 2000, month, day)
    except ValueError:
        return False
    return True


_NUM_DATE = re.compile(r"(\d{1,4})[/.\-](\d{1,2})(?:[/.\-](\d{2,4}))?$")


def numeric_date(text: str) -> bool:
    """``m/d[/y]``, ``d/m/y`` or ``y-m-d`` that names a real calendar day."""
    m = _NUM_DATE.match(text.strip())
    if not m:
        return False
    a, b, c = m.group(1), m.group(2), m.group(3)
    if len(a) == 4:  # ISO y-m-d
        if c is None:
            return False
        y, mo, d = int(a), int(b), int(c)
        return 1800 <= y <= 2199 and _valid_day(y, mo, d)
    y = None
    if c is not None:
        y = int(c) if len(c) == 4 else 2000 + int(c)
        if len(c) == 3:
            return False
    x, z = int(a), int(b)
    return (1 <= x <= 12 and _valid_day(y, x, z)) or (1 <= z <= 12 and _valid_day(y, z, x))


def text_date(text: str) -> bool:
    """A date written with a month name must carry a day that exists in that month."""
    t = text.lower()
    day_m = _DAY_NUMBER.search(t)
    mon_m = _LETTERS3.search(t)
    if mon_m is None:
        return False
    month = _month_of(mon_m.group(0))
    if month is None:
        return False
    if day_m is None:
        return True
    day = int(day_m.group(1))
    return _valid_day(None, month, day) if day <= 31 else True


VALIDATORS: dict[str, Validator] = {
    "luhn": luhn,
    "npi": npi,
    "ssn": ssn,
    "mbi": mbi,
    "dea": dea,
    "vin": vin,
    "ipv4": ipv4,
    "ipv6": ipv6,
    "has_digit": has_digit,
    "id_token": id_token,
    "phone": phone_digits,
    "zip": zip_code,
    "numeric_date": numeric_date,
    "text_date": text_date,
}
"""Every validator a recognizer may name. A literal dict, so ``grep`` shows what exists."""


_GENERIC_FACILITY_WORDS = frozenset("""
the of and & at in for a an emergency department dept urgent primary care internal family general
medicine medical cardiology oncology neurology surgery surgical pediatric pediatrics orthopedic
orthopedics women's womens children's childrens behavioral mental health outpatient inpatient
community regional county city state university teaching local nearby outside another other this
that our their his her same new old main north south east west central acute rehab rehabilitation
physical occupational speech therapy wound dialysis infusion sleep pain diabetes endocrine gi
pulmonary renal kidney heart vascular eye dental skin dermatology psychiatric psychiatry ob gyn
obstetrics gynecology radiology imaging lab laboratory pharmacy nursing skilled assisted senior
home hospice va veterans affairs memory cancer transplant trauma burn stroke spine sports free
walk-in walkin retail specialty multispecialty private public federal military army navy
""".split())


def facility_name(text: str) -> bool:
    """A facility name must carry at least one word that is not a generic department word."""
    words = _WORDS.findall(text)
    from_suffix = {"hospital", "hospitals", "center", "centre", "clinic", "clinics", "health",
                   "healthcare", "system", "infirmary", "home", "facility", "care", "group",
                   "associates", "physicians", "practice", "institute", "labs", "memorial",
                   "regional", "living", "office", "st", "st.", "saint", "mount", "mt"}
    specific = [w for w in words if w.lower() not in _GENERIC_FACILITY_WORDS
                and w.lower() not in from_suffix]
    return bool(specific)


_NOT_INITIALS = frozenset("""DOB MD DO RN NP PA PT OT ED ER OR IV PO AM PM US UK EU BC AD DC DDS
PHD NB PS UN VA IM SC SL PR QD BID TID QID HS AC PC OD OS OU AS AU AA NA BA BS MS MA JD LLC INC
""".split())


def initials(text: str) -> bool:
    """Dotted initials (``J.S.``) that are not a common abbreviation such as ``D.O.B.`` or ``M.D.``."""
    letters = "".join(ch for ch in text if ch.isalpha())
    return letters not in _NOT_INITIALS and letters + "B" != "DOB" and letters != "DOB"


VALIDATORS["facility_name"] = facility_name
VALIDATORS["initials"] = initials


_NOT_PLACES = frozenset("""alabama alaska arizona arkansas california colorado connecticut delaware florida
georgia hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts
michigan minnesota mississippi missouri montana nebraska nevada ohio oklahoma oregon pennsylvania
tennessee texas utah vermont virginia washington wisconsin wyoming america usa canada mexico
england france germany italy spain china india japan europe asia africa the
""".split()) | {"new hampshire", "new jersey", "new mexico", "new york", "north carolina", "north dakota",
                "rhode island", "south carolina", "south dakota", "west virginia", "puerto rico",
                "united states"}


def place_name(text: str) -> bool:
    """A place smaller than a state: not a state, a country, or a generic department name."""
    low = " ".join(text.lower().split())
    return low not in _NOT_PLACES and facility_name(text + " x") and not all(
        w in _GENERIC_FACILITY_WORDS for w in low.split())


VALIDATORS["place_name"] = place_name
