"""Word lists the name and place rules consult, and the on-disk cache that keeps start-up fast.

Sources, all installed from PyPI (nothing downloaded at run time):

* first names and surnames: US Census 1990 frequency lists, shipped in the ``names`` package
  (public-domain data);
* ordinary English words: lower-case entries of Webster's 2nd International (public domain), from
  ``english-words``;
* clinical words and eponyms: ICD-10-CM titles (public domain, from ``simple-icd-10-cm``), plus
  ``allow.tsv`` in this folder, plus any vocabulary the caller passes in;
* US cities and counties: the ``zipcodes`` package.

Building the lists takes a few seconds, so the result is cached as JSON in the user cache folder,
keyed by the package versions and the sha256 of ``allow.tsv``. This module holds no rules.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as _md
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import PhiConfigError

_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Za-z]")
_CACHE_VERSION = "4"


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Lower-cased word sets. ``common`` holds every ordinary or clinical word (not names)."""

    first: frozenset[str]
    last: frozenset[str]
    common: frozenset[str]
    eponym: frozenset[str]
    clinical: frozenset[str]
    cities: frozenset[str]
    counties: frozenset[str]
    last_rank: dict[str, int]
    first_rank: dict[str, int]
    curated: frozenset[str]

    def is_common(self, word: str) -> bool:
        """``word`` (lower case) or a plain inflection of it is an ordinary or clinical word."""
        c = self.common
        if word in c:
            return True
        n = len(word)
        if n > 3 and word.endswith("s") and (word[:-1] in c or (word.endswith("es") and word[:-2] in c)):
            return True
        if n > 4 and word.endswith("ed") and (word[:-2] in c or word[:-1] in c):
            return True
        if n > 5 and word.endswith("ing") and (word[:-3] in c or word[:-3] + "e" in c):
            return True
        return n > 4 and word.endswith("ly") and word[:-2] in c

    def with_vocabulary(self, words: Iterable[str]) -> "Lexicon":
        """A copy whose clinical words also include ``words`` (terms are split into words)."""
        extra: set[str] = set()
        for term in words:
            extra.update(w.lower() for w in _WORD.findall(term))
        return Lexicon(self.first, self.last, self.common | extra, self.eponym,
                       self.clinical | extra, self.cities, self.counties, self.last_rank,
                       self.first_rank, self.curated | extra)


def _allow_rows() -> list[tuple[str, str]]:
    text = (resources.files("medcode.phi") / "allow.tsv").read_text(encoding="utf-8")
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or parts[1] not in ("eponym", "drug", "clinical", "word"):
            raise PhiConfigError(f"allow.tsv, line {n}: expected 'term<TAB>eponym|drug|clinical|word'")
        rows.append((parts[0].strip(), parts[1]))
    return rows


def _census(path: Path) -> list[str]:
    out = []
    with open(path, encoding="ascii") as fh:
        for line in fh:
            word = line.split(" ", 1)[0].strip()
            if word:
                out.append(word.lower())
    return out


def _build() -> dict[str, list[str] | dict[str, int]]:
    import names as _names  # US Census 1990 lists
    from english_words import get_english_words_set

    base = Path(_names.__file__).parent
    last = _census(base / "dist.all.last")
    male = _census(base / "dist.male.first")
    female = _census(base / "dist.female.first")
    first = male + female
    web2 = get_english_words_set(["web2"], lower=False, alpha=True)
    common = {w for w in web2 if w.islower()}
    eponym: set[str] = set()
    clinical: set[str] = set()
    try:
        import simple_icd_10_cm as icd

        for code in icd.get_all_codes(with_dots=False):
            for w in _WORD.findall(icd.get_description(code)):
                if w[0].isupper() and not w.isupper():
                    key = w.lower()
                    key = key[:-2] if key.endswith("'s") else key
                    eponym.add(key)
                else:
                    clinical.add(w.lower())
    except ImportError:  # pragma: no cover - the package is a core dependency
        pass
    curated: set[str] = set()
    for term, kind in _allow_rows():
        for w in _WORD.findall(term):
            (eponym if kind == "eponym" else clinical).add(w.lower())
            if kind != "eponym":
                curated.add(w.lower())
    # ICD titles start with a capital; only words that are also names matter as eponyms
    name_set = set(first) | set(last)
    eponym &= name_set
    clinical |= {w for w in eponym if w in common}
    cities: set[str] = set()
    counties: set[str] = set()
    try:
        import zipcodes

        for z in zipcodes.list_all():
            cities.add(z["city"].lower())
            for c in z.get("acceptable_cities") or ():
                cities.add(c.lower())
            county = (z.get("county") or "").lower()
            for suffix in (" county", " parish", " borough", " census area", " city and borough",
                           " municipality", " municipio"):
                if county.endswith(suffix):
                    county = county[: -len(suffix)]
            if county:
                counties.add(county)
    except ImportError:  # pragma: no cover
        pass
    return {
        "first": sorted(set(first)),
        "first_rank": {w: min(i for i in (male.index(w) if w in male else 10**6,
                                          female.index(w) if w in female else 10**6))
                       for w in set(first)},
        "curated": sorted(curated | {w for w in clinical}),
        "last": last,
        "common": sorted(common | clinical),
        "eponym": sorted(eponym),
        "clinical": sorted(clinical),
        "cities": sorted(cities),
        "counties": sorted(counties),
    }


def _fingerprint() -> str:
    h = hashlib.sha256(_CACHE_VERSION.encode())
    for dist in ("names", "english-words", "simple-icd-10-cm", "zipcodes"):
        try:
            h.update(f"{dist}={_md.version(dist)};".encode())
        except _md.PackageNotFoundError:
            h.update(f"{dist}=none;".encode())
    h.update((resources.files("medcode.phi") / "allow.tsv").read_bytes())
    return h.hexdigest()[:16]


def _cache_dir() -> Path | None:
    env = os.environ.get("MEDCODE_CACHE_DIR")
    if env:
        return Path(env)
    try:
        import platformdirs

        return Path(platformdirs.user_cache_dir("medcode"))
    except Exception:  # pragma: no cover - no writable home
        return None


_LOADED: Lexicon | None = None


def load_lexicon() -> Lexicon:
    """The default lexicon, built once per process and cached on disk between runs."""
    global _LOADED
    if _LOADED is not None:
        return _LOADED
    data = None
    cache = _cache_dir()
    path = cache / f"phi-lexicon-{_fingerprint()}.json" if cache else None
    if path is not None and path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
    if data is None:
        try:
            data = _build()
        except ImportError as exc:
            raise PhiConfigError(
                f"a word-list package is not installed ({exc.name}); install medcode's phi extra"
            ) from None
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".{os.getpid()}.tmp")  # parallel first runs don't collide
                tmp.write_text(json.dumps(data), encoding="utf-8")
                tmp.replace(path)
            except OSError:
                pass
    last = data["last"]
    _LOADED = Lexicon(
        first=frozenset(data["first"]),
        last=frozenset(last),
        common=frozenset(data["common"]),
        eponym=frozenset(data["eponym"]),
        clinical=frozenset(data["clinical"]),
        cities=frozenset(data["cities"]),
        counties=frozenset(data["counties"]),
        last_rank={w: i for i, w in enumerate(last)},
        first_rank=data["first_rank"],
        curated=frozenset(data["curated"]),
    )
    return _LOADED
