"""The vocabulary of content packs: allowed keys, allowed values, code shapes and fact fields.

This module is data only. :mod:`medcode.packs.loader` checks every pack against it, and
``README.md`` beside it explains each entry to pack authors. Change both together.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from medcode.model import CPT, HCPCS, ICD10CM, MODIFIER, POS, SYSTEMS, TAXONOMY

SCHEMA_VERSIONS = (1,)

# Keys per table: (required, optional). Anything else is an error naming the table and the key.
KEYS: Mapping[str, tuple[frozenset[str], frozenset[str]]] = MappingProxyType(
    {
        "top": (frozenset({"pack", "citations", "codes"}), frozenset({"conflicts"})),
        "pack": (
            frozenset({"id", "title", "version", "updated", "authors"}),
            frozenset({"schema", "summary"}),
        ),
        "citation": (
            frozenset({"id", "authority", "title", "date", "kind"}),
            frozenset({"locator", "url", "note"}),
        ),
        "code": (
            frozenset({"system", "code", "label", "description", "cite"}),
            frozenset(
                {
                    "covers",
                    "terms",
                    "indications",
                    "settings",
                    "documentation",
                    "related",
                    "guidance",
                    "facts",
                }
            ),
        ),
        "related": (frozenset({"code", "relation", "cite"}), frozenset({"system", "note"})),
        "guidance": (frozenset({"text", "date", "cite"}), frozenset({"severity"})),
        "fact": (
            frozenset({"field", "value", "cite"}),
            frozenset({"pair", "pair_system", "note", "effective", "ends"}),
        ),
        "conflict": (
            frozenset({"id", "topic", "codes", "positions"}),
            frozenset({"severity", "note"}),
        ),
        "position": (
            frozenset({"cite", "date", "stance", "summary"}),
            frozenset({"scope", "codes"}),
        ),
    }
)

CITATION_KINDS = ("official", "editorial", "contractor", "payer", "medcode")

# "<this code> <relation> <related code>"; INVERSE gives the same fact read from the other side.
RELATIONS = (
    "includes",
    "included_in",
    "alternative",
    "see_also",
    "often_with",
    "not_with",
    "add_on",
    "has_add_on",
)
INVERSE: Mapping[str, str] = MappingProxyType(
    {
        "includes": "included_in",
        "included_in": "includes",
        "add_on": "has_add_on",
        "has_add_on": "add_on",
        "alternative": "alternative",
        "see_also": "see_also",
        "often_with": "often_with",
        "not_with": "not_with",
    }
)

SEVERITIES = ("info", "caution", "warning")
STANCES = ("supports", "opposes", "conditional", "neutral", "rescinded")

# Where a service is typically done; README maps each to place-of-service codes.
SETTINGS = ("office", "hospital_outpatient", "asc", "hospital_inpatient", "home", "telehealth")

# "code": the entry is about this one code. "family": about the code and every code below it
# (ICD-10-CM headers such as G90.52, whose billable children differ only by laterality).
COVERS = ("code", "family")
FAMILY_SYSTEMS = (ICD10CM,)

CODE_SHAPES: Mapping[str, re.Pattern[str]] = MappingProxyType(
    {
        CPT: re.compile(r"\d{4}[0-9FTU]"),
        HCPCS: re.compile(r"[A-V]\d{4}"),
        ICD10CM: re.compile(r"[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?"),
        MODIFIER: re.compile(r"[0-9A-Z]{2}"),
        TAXONOMY: re.compile(r"\d{3}[0-9A-Z]{6}X"),
        POS: re.compile(r"\d{2}"),
    }
)
CODE_EXAMPLES: Mapping[str, str] = MappingProxyType(
    {
        CPT: "0441T or 64640",
        HCPCS: "C9809",
        ICD10CM: "G90.521 (dot after the third character)",
        MODIFIER: "RT or 25",
        TAXONOMY: "208VP0014X",
        POS: "11",
    }
)
assert set(CODE_SHAPES) == set(SYSTEMS)

ID_SHAPE = re.compile(r"[a-z0-9]+(?:[-.][a-z0-9]+)*")
FIELD_SHAPE = re.compile(r"[a-z0-9_]+(?:\.[a-z0-9_]+)*")
DATE_SHAPE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


@dataclass(frozen=True, slots=True)
class FactField:
    """What one fact field holds: its value type, allowed values, and whether it names a pair code."""

    value_type: type
    doc: str
    allowed: tuple[object, ...] = ()
    pair: bool = False
    shape: str | None = None  # regular expression a text value must match in full


_IND09 = tuple(range(10))
_IND_0129 = (0, 1, 2, 9)

FACT_FIELDS: Mapping[str, FactField] = MappingProxyType(
    {
        # CMS physician fee schedule (RVU file) indicators
        "fee_schedule.status": FactField(str, "PFS status code", allowed=tuple("ABCDEFIMNPRTX")),
        "fee_schedule.global_days": FactField(
            str, "global period", allowed=("000", "010", "090", "MMM", "XXX", "YYY", "ZZZ")
        ),
        "fee_schedule.pctc": FactField(int, "PC/TC indicator", allowed=_IND09),
        "fee_schedule.mult_proc": FactField(
            int, "multiple procedure indicator", allowed=(0, 2, 3, 4, 5, 6, 7, 9)
        ),
        "fee_schedule.bilateral": FactField(
            int, "bilateral surgery indicator", allowed=(0, 1, 2, 3, 9)
        ),
        "fee_schedule.assistant": FactField(int, "assistant surgeon indicator", allowed=_IND_0129),
        "fee_schedule.co_surgeons": FactField(int, "co-surgeon indicator", allowed=_IND_0129),
        "fee_schedule.team": FactField(int, "team surgery indicator", allowed=_IND_0129),
        "fee_schedule.work_rvu": FactField(float, "work RVU"),
        "fee_schedule.nonfacility_total_rvu": FactField(float, "non-facility total RVU"),
        "fee_schedule.facility_total_rvu": FactField(float, "facility total RVU"),
        # NCCI medically unlikely edits
        "mue.practitioner.units": FactField(int, "practitioner MUE value (units per day)"),
        "mue.practitioner.mai": FactField(int, "practitioner MUE adjudication indicator", allowed=(1, 2, 3)),
        "mue.practitioner.rationale": FactField(str, "practitioner MUE rationale"),
        "mue.outpatient_hospital.units": FactField(int, "outpatient hospital MUE value"),
        "mue.outpatient_hospital.mai": FactField(
            int, "outpatient hospital MUE adjudication indicator", allowed=(1, 2, 3)
        ),
        "mue.outpatient_hospital.rationale": FactField(str, "outpatient hospital MUE rationale"),
        # NCCI procedure-to-procedure edits: this code is column 1, ``pair`` is column 2
        "ncci_ptp.practitioner.column2_modifier_indicator": FactField(
            int, "practitioner PTP modifier indicator (pair in column 2)", allowed=(0, 1, 9), pair=True
        ),
        "ncci_ptp.outpatient_hospital.column2_modifier_indicator": FactField(
            int, "hospital PTP modifier indicator (pair in column 2)", allowed=(0, 1, 9), pair=True
        ),
        # whether any active PTP edit pairs this code with ``pair`` in either direction
        "ncci_ptp.practitioner.edit_exists": FactField(bool, "practitioner PTP edit exists", pair=True),
        "ncci_ptp.outpatient_hospital.edit_exists": FactField(bool, "hospital PTP edit exists", pair=True),
        # hospital outpatient (OPPS, from the I/OCE) and ambulatory surgical center payment
        "opps.status_indicator": FactField(str, "OPPS status indicator", shape=r"[A-Z][0-9]?"),
        "opps.apc": FactField(str, "OPPS APC (4 digits)", shape=r"\d{4}"),
        "asc.payment_indicator": FactField(str, "ASC payment indicator", shape=r"[A-Z][0-9]"),
        # total practitioner time on the date of service, in minutes, where a public source states it:
        # "30-39" is a range, "30+" a threshold that must be met or exceeded
        "time.total_minutes": FactField(
            str, "total time in minutes ('30-39' or '30+')", shape=r"\d{1,3}-\d{1,3}|\d{1,3}\+"
        ),
    }
)
