"""Content packs: hand-written TOML files of coding knowledge that no official file carries.

Each ``*.toml`` file in this folder is a built-in pack (found by :func:`builtin_packs`). See
``README.md`` here for the format and how to write a new pack.
"""

from __future__ import annotations

from medcode.packs.loader import (
    Citation,
    Conflict,
    Fact,
    Guidance,
    Pack,
    PackCode,
    Position,
    Related,
    builtin_packs,
    dump_pack,
    from_dict,
    load_builtin_packs,
    load_pack,
    to_dict,
)

__all__ = [
    "Citation",
    "Conflict",
    "Fact",
    "Guidance",
    "Pack",
    "PackCode",
    "Position",
    "Related",
    "builtin_packs",
    "dump_pack",
    "from_dict",
    "load_builtin_packs",
    "load_pack",
    "to_dict",
]
