"""Render a code page (the dict from ``profile.page``) as Markdown, or as terminal text via Rich."""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.markdown import Markdown

from medcode.errors import ConfigError

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
VERDICT_WORDS = {
    "permitted": "may apply",
    "not_permitted": "not permitted",
    "documentation_required": "only with supporting documentation",
    "caution": "see meaning",
    "not_applicable": "does not apply",
}


def check_date(value: str) -> None:
    if not _DATE.match(value):
        raise ConfigError(f"--as-of wants a date as YYYY-MM-DD, not {value!r}")


def _src(s: dict[str, Any] | None) -> str:
    if not s:
        return ""
    return f"*Source: {s['publisher']}, {s['release']} ({s['file']})*"


def markdown(page: dict[str, Any]) -> str:
    out: list[str] = []
    add = out.append
    title = page.get("title") or (
        f"{page['label']['text']} (medcode label; no official title loaded)" if page.get("label")
        else "(no title in the loaded data)")
    add(f"# {page['system']} {page['code']}: {title}\n")
    state = page["status"]
    kind = page.get("kind")
    billable = {True: "billable", False: "not billable (header)" if kind != "code" else "not billable", None: ""}[page.get("billable")]
    add(f"**Status:** {state}{' — ' + billable if billable else ''}{' — as of ' + page['as_of'] if page.get('as_of') else ''}  ")
    add(_src(page.get("release")) + "\n")
    for m in page.get("messages", []):
        add(f"> {m}\n")
    if page.get("also_in"):
        add(f"The same code string also exists in: {', '.join(page['also_in'])} (use --system).\n")
    if page.get("parent"):
        add(f"**Parent:** {page['parent']['code']} {page['parent']['title'] or ''}\n")
    if page.get("billable_children"):
        add("## Billable codes under it\n")
        out += [f"- {c['code']} {c['title']}" for c in page["billable_children"]]
        add("")
    elif page.get("children"):
        add("## Children\n")
        out += [f"- {c['code']} {c['title'] or ''}" for c in page["children"]]
        add("")
    if page.get("notes"):
        add("## Notes\n")
        for kind_, notes in page["notes"].items():
            add(f"**{kind_.replace('_', ' ').capitalize()}:**")
            out += [f"- {n['text']}" for n in notes]
            add("")
    procedure = page["system"] in ("CPT", "HCPCS")
    fee = page.get("fee_schedule")
    if procedure or fee:
        add("## Physician fee schedule\n")
    if fee:
        for name in ("status", "global_days", "pctc", "multiple_procedure", "bilateral", "assistant", "co_surgeons",
                     "team", "physician_supervision", "imaging_family"):
            item = fee.get(name) or {}
            add(f"- **{name.replace('_', ' ')}**: {item.get('value')} — {item.get('meaning') or 'meaning not known'}")
        if fee.get("modifiers"):
            add("\n**Modifiers:** " + "; ".join(
                f"{m['modifier']} {VERDICT_WORDS.get(m['verdict'], m['verdict'])} ({m['indicator'].replace('_', ' ')} {m['value']})"
                for m in fee["modifiers"]))
        if fee.get("rvu"):
            add("\n**RVUs:** " + ", ".join(f"{k} {v}" for k, v in fee["rvu"].items()))
        if fee.get("changes_since"):
            ch = fee["changes_since"]
            add(f"\nChanged since {ch['release']}: " + (", ".join(f"{k} {v['from']}→{v['to']}" for k, v in ch["fields"].items()) or "no indicator changes"))
        add("\n" + _src(fee["source"]) + "\n")
    elif procedure:
        add("Not in the loaded fee-schedule data.\n")
    mue = page.get("mue")
    if procedure or mue:
        add("## Medically unlikely edits\n")
    if mue:
        for m in [mue, *page.get("mue_other_settings", [])]:
            add(f"- {m['setting']}: {m['units']} units, MAI {m['mai']} ({m['mai_meaning']}); rationale: {m['rationale']} — {_src(m['source'])}")
        add("")
    elif procedure:
        add("Not in the loaded MUE data.\n")
    ptp = page.get("ptp") or {}
    if any(ptp.get(k, {}).get("active") or ptp.get(k, {}).get("deleted") for k in ("as_column1", "as_column2")):
        add("## NCCI procedure-to-procedure edits\n")
        for key, label in (("as_column1", "column 1 (these codes are bundled into it)"), ("as_column2", "column 2 (bundled into these codes)")):
            block = ptp.get(key, {})
            if block.get("active"):
                add(f"As {label}: {block['active']} active edits")
                shown = block["edits"][:30]
                add(", ".join(f"{e['code']} [{e['setting']}, mod {e['modifier_indicator']}]" for e in shown)
                    + (" …" if block["active"] > len(shown) else "") + "\n")
    if page.get("content"):
        add("## Content packs\n")
        for c in page["content"]:
            entry = c["entry"]
            add(f"**{entry.get('label', '')}** — pack {c['pack']} {c['pack_version']} ({c['file']})\n")
            if entry.get("description"):
                add(entry["description"] + "\n")
            for key in ("indications", "settings", "documentation"):
                if entry.get(key):
                    add(f"*{key.capitalize()}:* " + "; ".join(entry[key]) + "\n")
            for r in entry.get("related", []):
                add(f"- {r.get('relation')}: {r.get('code')} — {r.get('note', '')} [{', '.join(r.get('cite', []))}]")
            for g in entry.get("guidance", []):
                add(f"- guidance ({g.get('date', '')}): {g.get('text')} [{', '.join(g.get('cite', []))}]")
            for conflict in c.get("conflicts", []):
                add(f"\n**Authorities differ: {conflict.get('topic')}**\n")
                for p in conflict.get("positions", []):
                    add(f"- {p.get('date', '')} [{', '.join(p.get('cite', []))}] {p.get('summary')}")
            if c.get("citations"):
                add("\n*Citations:* " + "; ".join(
                    f"[{x['id']}] {x.get('authority')}, {x.get('title')} ({x.get('date')})" for x in c["citations"]))
            add("")
    if len(page.get("history", [])) > 1:
        add("## History across releases\n")
        out += [f"- {h['release']} (effective {h['effective']}): {h['title'] or '—'}" for h in page["history"]]
        add("")
    add("## Sources\n")
    out += [f"- {s['section']}: {s['publisher']}, {s['release']}, effective {s['effective']} ({s['file']}, sha256 {s['sha256'][:12]})"
            for s in page.get("sources", [])]
    return "\n".join(out) + "\n"


def rich(page: dict[str, Any], console: Console) -> None:
    console.print(Markdown(markdown(page)))
