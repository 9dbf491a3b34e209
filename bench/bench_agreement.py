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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_detect import load_notes, score


def _as_entities(notes: list[dict]) -> dict[str, list[dict]]:
    """A coder's mentions in the shape the scorer takes for a system's entities."""
    # its "also" codes are alternatives, not more codes, so only the main code counts
    return {n["id"]: [{"begin": m["begin"], "end": m["end"], "codes": [m["code"]], "traits": m["traits"],
                       "paired": []} for m in n["mentions"]] for n in notes}


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    notes = load_notes(Path(sys.argv[1]))
    other = _as_entities(load_notes(Path(sys.argv[2])))
    notes = [n for n in notes if n["id"] in other]
    result = score(notes, [other[n["id"]] for n in notes])
    print(json.dumps(result, indent=1, default=sorted))


if __name__ == "__main__":
    main()
