"""Errors of the phi subpackage. Messages never contain input text.

    MedcodeError (medcode.errors)
    └── PhiError                 base class for redaction failures
        ├── PhiConfigError       recognizers.toml / allow.tsv / a word list is malformed or missing
        └── RedactionError       a note could not be redacted (bad input record, unknown mode)
"""

from __future__ import annotations

from medcode.errors import MedcodeError


class PhiError(MedcodeError):
    """Base class for errors raised by medcode.phi."""


class PhiConfigError(PhiError):
    """A recognizer file, word list or option is invalid; the message names the file and key."""


class RedactionError(PhiError):
    """A text or record could not be redacted. The message names the record, never its text."""
