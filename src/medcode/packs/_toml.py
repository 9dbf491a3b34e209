"""A small TOML writer for the plain data :func:`medcode.packs.loader.to_dict` returns.

The stdlib reads TOML (``tomllib``) but does not write it. Packs need only a few shapes: text,
integers, floats, booleans, lists of those, tables, and arrays of tables nested in arrays of
tables. This writer handles exactly those and refuses anything else, which is less code to trust
than adding a dependency (tomli-w) for one function.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_WRAP = 88  # lists of text longer than this go one item per line


def dumps(data: Mapping[str, Any]) -> str:
    """TOML text for ``data``; ``tomllib.loads(dumps(d)) == d`` for the supported shapes."""
    lines: list[str] = []
    _body(lines, data, "")
    return "\n".join(lines).lstrip("\n") + "\n"


def _is_table_array(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, Mapping) for x in v)


def _body(lines: list[str], table: Mapping[str, Any], path: str) -> None:
    for k, v in table.items():
        if not isinstance(v, Mapping) and not _is_table_array(v):
            lines.append(f"{_key(k)} = {_value(v)}")
    for k, v in table.items():
        name = path + _key(k)
        if isinstance(v, Mapping):
            lines += ["", f"[{name}]"]
            _body(lines, v, name + ".")
        elif _is_table_array(v):
            for item in v:
                lines += ["", f"[[{name}]]"]
                _body(lines, item, name + ".")


def _key(k: str) -> str:
    return k if _BARE_KEY.fullmatch(k) else _string(k)


def _string(s: str) -> str:
    # A JSON string literal is a valid TOML basic string, except that TOML also forbids a raw DEL.
    return json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007f")


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"cannot write {v!r} to a pack")
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        items = [_value(x) for x in v]
        one_line = "[" + ", ".join(items) + "]"
        if len(one_line) <= _WRAP:
            return one_line
        return "[\n" + "".join(f"    {x},\n" for x in items) + "]"
    raise TypeError(f"cannot write a {type(v).__name__} to a pack")
