"""Everything known about one code, assembled from the knowledge base for a code page.

The page is a plain dict (the JSON contract of ``medcode show --format json``); renderers live in
``profile.render``. Every section names the source it came from; a section whose data is not loaded
says so instead of guessing.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any

from medcode.errors import UnknownCode
from medcode.kb.store import KB, CodeRow, Source
from medcode.model import CPT, ICD10CM

# Page field name -> field name in the RVU importer's rows.
FEE_FIELDS = {
    "status": "status",
    "global_days": "global_days",
    "pctc": "pctc",
    "multiple_procedure": "mult_proc",
    "bilateral": "bilateral",
    "assistant": "assistant",
    "co_surgeons": "co_surgeons",
    "team": "team",
    "physician_supervision": "phys_supervision",
    "imaging_family": "imaging_family",
}
FEE_NUMBERS = ("work_rvu", "nonfac_pe_rvu", "fac_pe_rvu", "mp_rvu", "nonfac_total", "fac_total", "conv_factor")
MAI_MEANING = {
    1: "claim line edit: units are counted per claim line",
    2: "date of service edit, policy: units are summed over the date of service and the limit is absolute",
    3: "date of service edit, clinical: units are summed over the date of service; may be exceeded on appeal with documentation",
}
NOTE_ORDER = ("includes", "inclusion", "excludes1", "excludes2", "code_first", "use_additional", "code_also", "note", "seventh_character")
SYSTEM_ORDER = (ICD10CM, CPT, "HCPCS", "MODIFIER", "TAXONOMY", "POS")


@lru_cache(maxsize=1)
def modifier_rules() -> dict[str, Any]:
    return tomllib.loads(resources.files("medcode.profile").joinpath("modifier_rules.toml").read_text("utf-8"))


def _fee_meaning(field: str, value: str | None) -> str | None:
    from medcode.codesets import mpfs_rvu

    if value in (None, ""):
        return None
    return mpfs_rvu.meaning(field, value)


def _pick(rows: list[CodeRow], as_of: str | None) -> CodeRow | None:
    for r in rows:  # newest first
        if as_of is None or r.source.effective <= as_of:
            return r
    return None


def build_page(kb: KB, code: str, *, system: str | None = None, as_of: str | None = None) -> dict[str, Any]:
    """The page for ``code`` (any system; ``system`` narrows it), as of ``as_of`` (ISO date) or newest.

    >>> build_page(kb, "G90.52")["billable"]   # doctest: +SKIP
    False
    """
    found = kb.find(code, system)
    if not found:
        raise UnknownCode(code.strip().upper(), system)
    found.sort(key=lambda f: SYSTEM_ORDER.index(f[0]) if f[0] in SYSTEM_ORDER else 99)
    sys_, code_, status, _newest = found[0]
    rows = kb.rows(sys_, code_)
    row = _pick(rows, as_of)
    sources: list[dict[str, Any]] = []

    def cite(section: str, src: Source) -> dict[str, Any]:
        entry = {"section": section, **src.as_dict()}
        if entry not in sources:
            sources.append(entry)
        return src.as_dict()

    page: dict[str, Any] = {"system": sys_, "code": code_, "as_of": as_of, "also_in": [f[0] for f in found[1:]]}
    messages: list[str] = []
    if row is None:
        first = rows[-1]
        if kb.reference_source(sys_, as_of) is None:
            # Nothing loaded covers that date: say so rather than call the code not yet in force.
            page |= {"title": first.title, "valid": None, "status": "before_loaded_releases", "billable": first.billable}
            messages.append(f"No {sys_} release loaded is in force on {as_of}; the earliest loaded release is "
                            f"{first.source.release} (effective {first.source.effective}), shown here.")
        else:
            page |= {"title": first.title, "valid": False, "status": "not_yet_effective", "billable": first.billable}
            messages.append(f"{code_} is not in force on {as_of}: it first appears in {first.source.release} "
                            f"(effective {first.source.effective}).")
        row = first
    else:
        ref = kb.reference_source(sys_, as_of)
        deleted = status == "deleted" if as_of is None else (
            ref is not None and (row.source.effective, row.source.id) < (ref.effective, ref.id)
            and not any(r.source.id == ref.id for r in rows)
        )
        page["status"] = "deleted" if deleted else "active"
        page["valid"] = not deleted
        # Some releases list codes without titles (the fee schedule never carries CPT descriptors):
        # the title comes from the newest release that has one.
        titled = next((r for r in rows if r.title and (as_of is None or r.source.effective <= as_of)), None)
        page["title"] = titled.title if titled else None
        if titled and titled.source.id != row.source.id:
            page["title_source"] = cite("title", titled.source)
        page["billable"] = row.billable if not deleted else False
        if deleted:
            page["deleted"] = {"last_release": row.source.release, "last_effective": row.source.effective,
                               "absent_from": ref.release if ref else None,
                               "end": ref.effective if ref else None}  # no longer valid from this date
            messages.append(f"{code_} was deleted: last listed in {row.source.release}; not in {ref.release if ref else 'the newest release'}.")
    first = min(rows, key=lambda r: (r.source.effective, r.source.id))
    page["effective"] = {"start": first.source.effective, "first_release": first.source.release,
                         "end": page["deleted"]["end"] if "deleted" in page else None}
    page["kind"] = row.kind
    page["short_title"] = row.short_title or next((r.short_title for r in rows if r.short_title), None)
    if sys_ in (CPT, "HCPCS") and page["billable"] is None and page["status"] == "active":
        page["billable"] = True  # a complete CPT/HCPCS code is reportable; payment status is on the fee schedule
    page["release"] = cite("code", row.source)
    if sys_ == CPT and not page["title"]:
        messages.append("CPT descriptors are AMA property: import your licensed CPT file (`medcode kb build --cpt FILE`) to see the official title.")
    if row.kind in ("header", "category", "block", "chapter") and row.billable is False:
        if sys_ == ICD10CM and row.kind != "chapter":
            messages.append(f"{code_} is a header, not a billable code: code to one of its billable children.")
    # Some releases carry codes and titles only (a derived list): show the attributes of the newest
    # release that has them, with its source.
    with_attrs = next((r for r in rows if r.attrs and (as_of is None or r.source.effective <= as_of)), None)
    page["attributes"] = with_attrs.attrs if with_attrs else {}
    if with_attrs:
        page["attributes_source"] = cite("attributes", with_attrs.source)
    page["parent"] = None
    if row.parent:
        parent_rows = kb.rows(sys_, row.parent)
        prow = _pick(parent_rows, as_of) or (parent_rows[0] if parent_rows else None)
        page["parent"] = {"code": row.parent, "title": prow.title if prow else None}
    kids = kb.children(sys_, code_, row.source.id)
    page["children"] = [{"code": k.code, "title": k.title, "billable": k.billable} for k in kids]
    page["billable_children"] = (
        [{"code": c, "title": t} for c, t in kb.billable_descendants(sys_, code_, row.source.id)]
        if row.billable is False else []
    )
    page["notes"] = _notes(kb, sys_, code_, row, cite)
    page["terms"] = [{"term": t, "kind": k, "source": cite("terms", s)} for t, k, s in kb.terms(sys_, code_)[:200]]
    page["fee_schedule"] = _fee_schedule(kb, code_, as_of, cite)
    page["mue"], page["mue_other_settings"] = _mue(kb, code_, cite)
    page["ptp"] = _ptp(kb, code_, cite)
    page["history"] = [
        {"release": r.source.release, "effective": r.source.effective, "title": r.title, "billable": r.billable,
         "kind": r.kind}
        for r in rows
    ]
    ancestors = []
    parent = row.parent
    while parent and len(ancestors) < 8:
        ancestors.append(parent)
        prow = kb.rows(sys_, parent)
        parent = prow[0].parent if prow else None
    page["content"] = _packs(kb, code_, ancestors, sources)
    if page["content"] is None and sys_ in (CPT, "HCPCS"):
        messages.append("No payer coverage policy is loaded for this code; check the payer's policy.")
    if not page.get("title") and page["content"]:
        # No official title loaded (CPT without a licensed file, CPT modifiers): show medcode's own
        # label from the content pack, marked as such.
        page["label"] = {"text": page["content"][0]["entry"]["label"], "source": "medcode content pack "
                         + page["content"][0]["pack"]}
    page["messages"] = messages
    page["sources"] = sources
    return page


def _notes(kb: KB, system: str, code: str, row: CodeRow, cite: Any) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for kind, text, refs in kb.notes(system, code, row.source.id):
        out.setdefault(kind, []).append({"text": text, "refs": refs})
    if out:
        cite("notes", row.source)
    return {k: out[k] for k in sorted(out, key=lambda k: NOTE_ORDER.index(k) if k in NOTE_ORDER else 99)}


def _fee_schedule(kb: KB, code: str, as_of: str | None, cite: Any) -> dict[str, Any] | None:
    rows = [r for r in kb.fee_schedule(code) if as_of is None or r[2].effective <= as_of]
    if not rows:
        return None
    newest = rows[0][2]
    current = {mod: fields for mod, fields, src in rows if src.id == newest.id}
    fields = current.get("") or next(iter(current.values()))
    out: dict[str, Any] = {}
    for page_name, field in FEE_FIELDS.items():
        value = fields.get(field)
        out[page_name] = {"value": value, "meaning": _fee_meaning(field, value)}
    out["rvu"] = {k: fields.get(k) for k in FEE_NUMBERS if k in fields}
    out["modifier_rows"] = sorted(m for m in current if m)
    out["modifiers"] = _modifier_verdicts(fields)
    out["source"] = cite("fee_schedule", newest)
    older = [src for _m, _f, src in rows if src.id != newest.id]
    if older:
        prev = {m: f for m, f, s in rows if s.id == older[0].id}.get("")
        if prev:
            changed = {FEE_FIELDS_REV[k]: {"from": prev.get(k), "to": fields.get(k)} for k in FEE_FIELDS.values()
                       if prev.get(k) != fields.get(k)}
            out["changes_since"] = {"release": older[0].release, "fields": changed}
            cite("fee_schedule", older[0])
    return out


FEE_FIELDS_REV = {v: k for k, v in FEE_FIELDS.items()}


def _modifier_verdicts(fields: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for page_field, rule in modifier_rules().items():
        value = fields.get(FEE_FIELDS[page_field])
        verdict = rule["verdicts"].get(str(value)) if value is not None else None
        if verdict:
            for mod in rule["modifiers"]:
                out.append({"modifier": mod, "verdict": verdict, "indicator": page_field, "value": value,
                            "meaning": _fee_meaning(FEE_FIELDS[page_field], value)})
    return out


def _mue(kb: KB, code: str, cite: Any) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    rows = kb.mue(code)
    if not rows:
        return None, []
    entries = [
        {"setting": setting, "units": units, "mai": mai, "mai_meaning": MAI_MEANING.get(mai or 0),
         "rationale": rationale, "source": cite("mue", src)}
        for setting, units, mai, rationale, src in rows
    ]
    primary = next((e for e in entries if e["setting"] == "practitioner"), entries[0])
    return primary, [e for e in entries if e is not primary]


def _ptp(kb: KB, code: str, cite: Any, limit: int = 100) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in (1, 2):
        edits = kb.ptp(code, column)
        active = [e for e in edits if not e["deletion"]]
        for e in edits[:1]:
            cite("ptp", e["source"])
        out[f"as_column{column}"] = {
            "active": len(active),
            "deleted": len(edits) - len(active),
            "edits": [
                {"setting": e["setting"], "code": e["other"], "modifier_indicator": e["modifier_indicator"],
                 "effective": e["effective"], "rationale": e["rationale"], "release": e["source"].release}
                for e in active[:limit]
            ],
        }
    return out


def _packs(kb: KB, code: str, ancestors: list[str], sources: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """Content-pack entries for the code, and entries for an ancestor that cover its whole family."""
    entries = list(kb.pack_entries(code))
    for anc in ancestors:
        entries += [(p, e) for p, e in kb.pack_entries(anc) if e.get("covers") == "family"]
    if not entries:
        return None
    out = []
    for pack_id, entry in entries:
        pack = kb.pack(pack_id)
        ids = set(entry.get("cite", []))
        for section in ("related", "guidance", "facts"):
            for item in entry.get(section, []):
                ids.update(item.get("cite", []))
        conflicts = [c for c in pack.get("conflicts", []) if entry["code"] in c.get("codes", [])]
        for c in conflicts:
            for p in c.get("positions", []):
                ids.update(p.get("cite", []))
        citations = [c for c in pack.get("citations", []) if c.get("id") in ids]
        out.append({"pack": pack_id, "pack_version": pack["pack"].get("version"), "file": pack["_file"],
                    "entry": entry, "conflicts": conflicts, "citations": citations})
        src = {"section": "content", "publisher": f"medcode content pack {pack_id}", "dataset": "content-pack",
               "release": pack["pack"].get("version"), "effective": pack["pack"].get("updated"),
               "file": pack["_file"], "sha256": pack["_sha256"]}
        if src not in sources:
            sources.append(src)
    return out
