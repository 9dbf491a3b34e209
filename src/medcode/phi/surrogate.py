"""Deterministic fake values for the ``surrogate`` mode, keyed by an HMAC of the caller's key.

The same key and the same original value always give the same fake, so a patient's name, MRN or
phone number stays consistent within a document and, with one ``--key`` per patient, across all
of that patient's documents. Dates move by one per-key offset (1 to 365 days, either direction),
so intervals between dates survive. Ages over 89 become ``90+``. Formats are kept: digits stay
digits, letters stay letters, case and punctuation stay where they were.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re

_FIRST = ("Alex Jordan Taylor Morgan Casey Riley Jamie Avery Quinn Rowan Emerson Finley Harper Reese "
          "Sawyer Parker Dakota Skyler Logan Cameron Drew Elliot Hayden Jesse Kendall Lane Marley "
          "Oakley Peyton Remy Sage Tatum").split()
_LAST = ("Ashford Bellamy Carrow Dunmore Ellery Fairburn Garrick Halloway Ingram Jessup Kettering "
         "Langford Merriweather Northcott Osgood Pendleton Quimby Radcliffe Stanwick Thornbury "
         "Upchurch Vance Whitcombe Yardley Ashdown Brightwell Calloway Dempsey Everly Fenwick").split()
_CITIES = ("Millbrook Ashton Fairview Cedarvale Brookhaven Lakemont Riverton Oakdale Pinecrest "
           "Westbury Glenwood Maplewood Stonebridge Elmhurst Hillcrest").split()
_STREETS = "Maple Cedar Birch Willow Aspen Juniper Laurel Hawthorn Chestnut Sycamore".split()
_FACILITY = "Northfield Eastbrook Westgate Southmoor Kingsley Ridgeview Harborview Fox Hollow".split()

_DATE_FORMATS = [
    (re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$"), "ymd"),
    (re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{2}|\d{4})$"), "mdy"),
    (re.compile(r"^(\d{1,2})/(\d{1,2})$"), "md"),
]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]
_MON_RE = re.compile(r"(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?")
_DAY_RE = re.compile(r"\b(\d{1,2})(st|nd|rd|th)?\b(?!\d)")
_YEAR_RE = re.compile(r"\b(19|20)\d{2}\b|'(\d{2})\b")


class Surrogates:
    """Fake values for one key. ``key=None`` draws a random key (consistent within one call)."""

    def __init__(self, key: str | bytes | None = None) -> None:
        if key is None:
            import os

            key = os.urandom(32)
        self.key = key.encode("utf-8") if isinstance(key, str) else key
        h = self._digest("date-shift")
        days = int.from_bytes(h[:4], "big") % 365 + 1
        self.shift = dt.timedelta(days=days if h[4] % 2 else -days)

    def _digest(self, *parts: str) -> bytes:
        return hmac.new(self.key, "\x1f".join(parts).encode("utf-8"), hashlib.sha256).digest()

    def _pick(self, pool: list[str], *parts: str) -> str:
        return pool[int.from_bytes(self._digest(*parts)[:4], "big") % len(pool)]

    # ------------------------------------------------------------------ per label
    def value(self, label: str, original: str) -> str:
        if label == "NAME":
            return self.name(original)
        if label == "DATE":
            return self.date(original)
        if label == "AGE":
            return "90+"
        if label == "EMAIL":
            return f"{self._pick(_FIRST, 'e', original).lower()}.{self._shape(original[:3], 'em')}@example.org"
        if label == "URL":
            return f"https://example.org/{self._shape('x9x9x9', 'url', original).lower()}"
        if label == "IP":
            d = self._digest("ip", original)
            return f"192.0.2.{d[0] % 254 + 1}" if ":" not in original else f"2001:db8::{d[0]:x}{d[1]:02x}"
        if label in ("LOCATION",):
            return _case_like(original, self._pick(_CITIES, "city", original.lower()))
        if label == "FACILITY":
            words = original.split()
            tail = " ".join(words[1:]) if len(words) > 1 else "Hospital"
            return _case_like(original, f"{self._pick(_FACILITY, 'fac', original.lower())} {tail}")
        if label == "ADDRESS":
            num = self._shape(re.match(r"\d*", original).group(0) or "1", "num", original)
            suffix = original.split()[-1] if len(original.split()) > 2 else "Street"
            return _case_like(original, f"{num} {self._pick(_STREETS, 'st', original.lower())} {suffix}")
        return self._shape(original, label, original)

    def name(self, original: str) -> str:
        """Token by token, so 'John Smith', 'Smith, John' and 'Mr. Smith' stay consistent."""
        def repl(m: re.Match[str]) -> str:
            w = m.group(0)
            if len(w) == 1:
                return self._pick(list("ABCDEFGHJKLMNPRSTW"), "initial", w.upper())
            key = w.lower()
            pool = _FIRST if self._digest("kind", key)[0] % 2 == 0 else _LAST
            return _case_like(w, self._pick(pool, "name", key))
        return re.sub(r"[A-Za-z][A-Za-z'’]*", repl, original)

    def date(self, original: str) -> str:
        """Shift by the key's offset, keeping the written form."""
        s = original.strip()
        for rx, kind in _DATE_FORMATS:
            m = rx.match(s)
            if not m:
                continue
            try:
                if kind == "ymd":
                    d = dt.date(int(m.group(1)), int(m.group(3)), int(m.group(4))) + self.shift
                    return f"{d.year}{m.group(2)}{d.month:0{len(m.group(3))}d}{m.group(2)}{d.day:0{len(m.group(4))}d}"
                if kind == "mdy":
                    y = m.group(4)
                    year = int(y) if len(y) == 4 else 2000 + int(y) if int(y) < 50 else 1900 + int(y)
                    a, b = int(m.group(1)), int(m.group(3))
                    month, day, swap = (a, b, False) if a <= 12 else (b, a, True)
                    d = dt.date(year, month, day) + self.shift
                    ys = str(d.year) if len(y) == 4 else f"{d.year % 100:02d}"
                    p1, p2 = (d.day, d.month) if swap else (d.month, d.day)
                    return f"{p1:0{len(m.group(1))}d}{m.group(2)}{p2:0{len(m.group(3))}d}{m.group(2)}{ys}"
                d = dt.date(2001, int(m.group(1)), int(m.group(2))) + self.shift
                return f"{d.month}/{d.day}"
            except ValueError:
                break
        mon = _MON_RE.search(s)
        if mon:
            month = [x[:3].lower() for x in _MONTHS].index(mon.group(1).lower()) + 1
            day_m = _DAY_RE.search(s.replace(mon.group(0), " " * len(mon.group(0))))
            year_m = _YEAR_RE.search(s)
            year = int(year_m.group(0)) if year_m and not year_m.group(0).startswith("'") else 2001
            day = int(day_m.group(1)) if day_m and int(day_m.group(1)) <= 31 else 15
            try:
                d = dt.date(year, month, day) + self.shift
            except ValueError:
                return "[DATE]"
            name = _MONTHS[d.month - 1]
            word = mon.group(0)
            new_mon = name[:len(word.rstrip("."))] if len(word.rstrip(".")) <= 4 else name
            new_mon = _case_like(word.rstrip("."), new_mon) + ("." if word.endswith(".") else "")
            out = s.replace(word, new_mon, 1)
            if day_m:
                out = re.sub(r"\b%s(st|nd|rd|th)?\b" % day_m.group(1),
                             lambda m: f"{d.day}{_ordinal(d.day) if m.group(1) else ''}", out, count=1)
            if year_m and not year_m.group(0).startswith("'"):
                out = out.replace(year_m.group(0), str(d.year), 1)
            return out
        return "[DATE]"

    def _shape(self, original: str, *parts: str) -> str:
        """Same shape: each digit becomes a digit, each letter a letter of the same case."""
        stream = self._digest("shape", *parts) + self._digest("shape2", *parts)
        out = []
        for i, ch in enumerate(original):
            b = stream[i % len(stream)] ^ (i * 7)
            if ch.isdigit():
                out.append(str(b % 10))
            elif ch.isalpha():
                c = chr(ord("A") + b % 26)
                out.append(c if ch.isupper() else c.lower())
            else:
                out.append(ch)
        return "".join(out)


def _case_like(model: str, value: str) -> str:
    if model.isupper() and len(model) > 1:
        return value.upper()
    if model.islower():
        return value.lower()
    return value


def _ordinal(d: int) -> str:
    return "th" if 11 <= d <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")
