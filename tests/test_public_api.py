"""The public API is exactly what medcode/__init__.py lists in __all__ (httpx style)."""

from __future__ import annotations

import medcode


def test_all_names_exist() -> None:
    for name in medcode.__all__:
        assert hasattr(medcode, name), name


def test_all_is_the_public_surface() -> None:
    public = {n for n in dir(medcode) if not n.startswith("_")} - {"annotations"}
    modules = {n for n in public if type(getattr(medcode, n)).__name__ == "module"}
    assert public - modules == set(medcode.__all__) - {"__version__"}
