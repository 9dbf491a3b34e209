"""The patient's age as a note states it, for rules whose thresholds depend on age.

A child's BMI is coded by percentile (bmi.py) and a heart rate of 140 is normal in a toddler
(patterns.toml), so both need the age the note gives: "4 yo", "9-year-old", "47M", "Age: 54",
"7 mo old F", "3 wk old", "DOL 5", "newborn". Durations ("x 8 yrs", "2 yrs ago") are no age. The first
age stated is the patient's: notes open with it, and a relative's age ("her 45 yo mother") comes later if
at all; a newborn's note may state only the mother's, so its opening decides first.
"""

from __future__ import annotations

import re

from medcode.detect.newborn import default_newborn, opens_as_newborn

# "4 yo", "72 y/o", "9-year-old", "16 yrs old", "15 year old"; a bare "3 years" is a duration ("for 3 years")
_YEARS = r"(?P<y>\d{1,3})\s*-?\s*(?:(?:yo|y/o|yrs?\s+old|years?(?:\s*-\s*|\s+)old|-year-old)\b|y\.o\.?)"
# A bare "N yr(s)" is an age after "Pt", "patient", "aged" or "child" ("Pt 72 yrs, retired", "Well child
# 4 yr") or before months, a sex or "old" ("2 yr 9 mo male", "Child: 3 yr 2 mo girl"). Elsewhere it is a
# duration or an interval far more often: "x 8 yrs", "RTC 6 wks, then 1 yr", "no flares in 2 yrs", "5 yrs
# post-tx", "repeat colonoscopy in 5 yrs", "Battery 6 yr"; of the 68 hand-coded notes whose first age was
# read from a bare "yr(s)" before this rule, 9 were ages. A bone age is not the patient's ("Bone age 12 yr 6 mo").
_BARE_YEARS = (r"(?:(?:(?<=\bpt )|(?<=\bpatient )|(?<=\baged )|(?<=\bchild ))(?P<yb>\d{1,3})\s*yrs?\b(?!\s+ago\b)"
               r"|(?<!\bage )(?P<yc>\d{1,3})\s*yrs?\b(?=\s*\d{1,2}\s*mos?\b|\s*,?\s*(?:old\b|(?-i:[MF])\b|male\b|female\b"
               r"|boy\b|girl\b|man\b|woman\b)))")
# "47M", "63 F", "81F,": an age in years run into the sex, the opening of many terse notes; not in "F2F",
# "T 101.4 F" or "T 99 F" (a temperature), nor a catheter's French size ("16F Foley"); the sex letter is a
# capital
_COMPACT = (r"(?<![\w./])(?<!\bT )(?<!temp )(?P<c>\d{1,3})\s?(?-i:[MF])(?![\w/-])"
            r"(?!\s*(?:foley|fr\b|french|cath\w*|sheath|pigtail|chest tube|tube|drain|stent)\b)")
# "Age: 54", "AGE 58,", "Age: 36F" (not "dx age 2", an age at diagnosis), and "Mr. L, 72, ..."
_LABEL = (r"(?:\b(?-i:Age|AGE)\s*:?\s*|\b(?-i:Mrs?|Ms)\.?\s+[A-Z]\w*\.?,\s*)(?P<a>\d{1,3})\b"
          r"(?!\s*(?:mos?|months?|wks?|weeks?|days?)\b)")
# "7 mo old", "10-month-old", "18 mo M", "3 wk old", "5 days old": months, weeks and days need "old" or
# a sex after them, as "x 2 days" and "3 mo ago" are durations
_UNIT = r"(?P<n>\d{1,2})\s*-?\s*(?P<unit>mos?|months?|m/o|wks?|weeks?|days?|d)"
_SMALL = _UNIT + r"(?:\s*-?\s*old\b|/o\b|\s+(?=(?:[MF]|male|female|boy|girl|infant|baby)\b))"
_NEWBORN = r"(?P<new>\bnewborn\b|\bneonate\b|\bDOL\s*#?\s*\d{1,2}\b|\bday of life\s*\d{1,2}\b)"
_AGE = re.compile(rf"\b{_YEARS}|\b{_BARE_YEARS}|\b{_SMALL}|{_NEWBORN}|{_COMPACT}|{_LABEL}", re.IGNORECASE)
_PER_YEAR = {"m": 12.0, "w": 52.0, "d": 365.0}


def note_age(text: str) -> float | None:
    """The first age ``text`` states, in years (months, weeks and days as fractions), or None. A note that
    opens as a newborn's (newborn.py) is a newborn's, whatever age comes first ("NICU ADMIT ... Mom 22 yo")."""
    if opens_as_newborn(text, default_newborn()) is not None:
        return 0.0
    m = _AGE.search(text)
    if m is None:
        return None
    years = m.group("y") or m.group("yb") or m.group("yc") or m.group("c") or m.group("a")
    if years:
        return float(years)
    if m.group("new"):
        return 0.0
    return int(m.group("n")) / _PER_YEAR[m.group("unit")[0].lower()]
