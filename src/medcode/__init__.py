"""medcode: an offline medical coding workbench.

The public API is what this module exports; everything else is internal.

>>> from medcode import Workbench
>>> wb = Workbench()                      # doctest: +SKIP
>>> wb.search("crps right leg")[0].code   # doctest: +SKIP
'G90.521'
"""

from __future__ import annotations

__version__ = "0.1.0"

from medcode.errors import (
    ConfigError,
    ImportFormatError,
    KBError,
    KBNotBuilt,
    MedcodeError,
    PackError,
    UnknownCode,
)
from medcode.model import Code, Finding, Span
from medcode.workbench import Workbench

__all__ = [
    "Code",
    "ConfigError",
    "Finding",
    "ImportFormatError",
    "KBError",
    "KBNotBuilt",
    "MedcodeError",
    "PackError",
    "Span",
    "UnknownCode",
    "Workbench",
    "__version__",
]
