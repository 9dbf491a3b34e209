"""Agreement between two hand coders on the same notes: how high can a detector score on such gold?

Usage (from the repo root, with the project venv active):

    python bench/bench_agreement.py bench/detect_notes/holdout12.toml bench/detect_notes/holdout12_second_coder.toml

The first file is the reference. The second coder's mentions are scored against it exactly as
`bench_detect.py` scores the detector (code-level P/R/F1 per note over conditions present in the
patient, exact and first three characters, with and without status Z codes; entity spans; traits), on
the notes both files hold. When two careful coders agree at F1 0.75, a detector scoring 0.75 against
one of them is as good as the other coder.
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_detect import load_notes, score


def _mentions_as_entities(path: Path) -> dict[str, list[dict]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = {}
    for note in data["note"]:
        text, pos, ents = note["text"], 0, []
        for m in note.get("mention", []):
            at = text.find(m["text"], pos)
            if at < 0:
                at = text.lower().find(m["text"].lower(), pos)
            if at < 0:
                raise SystemExit(f"{path.name}:{note['id']}: mention {m['text']!r} not found")
            ents.append({"begin": at, "end": at + len(m["text"]), "codes": [m["code"]],
                         "traits": set(m.get("traits", [])), "paired": []})  # its "also" codes are alternatives, not more codes
            pos = at + 1
        out[note["id"]] = ents
    return out


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    reference, second = Path(sys.argv[1]), Path(sys.argv[2])
    if reference.parent.resolve() == (Path(__file__).resolve().parent / "detect_notes"):
        notes = load_notes(reference.stem)
    else:
        raise SystemExit("the reference must be a set in bench/detect_notes/")
    other = _mentions_as_entities(second)
    notes = [n for n in notes if n["id"] in other]
    result = score(notes, [other[n["id"]] for n in notes])
    print(json.dumps(result, indent=1, default=sorted))


if __name__ == "__main__":
    main()
