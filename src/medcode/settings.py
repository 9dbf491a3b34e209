"""Where medcode keeps its knowledge base and where it finds the mirror of official downloads.

Settings come from options first, then the environment:

* ``MEDCODE_HOME``: folder holding ``kb.sqlite`` (default: the user's data directory).
* ``MEDCODE_MIRROR``: folder holding the publishers' downloads (the "mirror").
* ``MEDCODE_DETECT_PHRASES``: the learned-phrase table ``medcode detect`` uses (a file written by
  ``medcode detect-learn``), or ``none`` for the rules alone; unset, the table packaged with medcode.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from medcode.errors import ConfigError

KB_FILE_NAME = "kb.sqlite"


def home() -> Path:
    env = os.environ.get("MEDCODE_HOME")
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir("medcode"))


def kb_path(explicit: str | Path | None = None) -> Path:
    """The knowledge base file: ``explicit`` if given, else ``$MEDCODE_HOME/kb.sqlite``."""
    if explicit:
        return Path(explicit).expanduser()
    return home() / KB_FILE_NAME


def mirror_path(explicit: str | Path | None = None) -> Path | None:
    """The mirror folder, or None when neither the option nor ``MEDCODE_MIRROR`` names one."""
    value = str(explicit) if explicit else os.environ.get("MEDCODE_MIRROR")
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        raise ConfigError(f"mirror folder {path} does not exist (set by --mirror or MEDCODE_MIRROR)")
    return path


def _detect_table(explicit: str | Path | None, env: str, what: str, option: str, folder: bool = False) -> Path | bool:
    value = str(explicit) if explicit else os.environ.get(env)
    if not value:
        return True
    if value.lower() == "none":
        return False
    path = Path(value).expanduser()
    if not (path.is_file() or (folder and path.is_dir())):
        raise ConfigError(f"{what} {path} does not exist (set by {option} or {env})")
    return path


def detect_phrases(explicit: str | Path | None = None) -> Path | bool:
    """The detector's learned-phrase table: a file or a folder of them, False for none, or True for the
    packaged one."""
    return _detect_table(explicit, "MEDCODE_DETECT_PHRASES", "phrase table", "--phrases", folder=True)


def detect_agreement(explicit: str | Path | None = None) -> Path | bool:
    """The detector's code-agreement table: a file, False for none, or True for the packaged one."""
    return _detect_table(explicit, "MEDCODE_DETECT_AGREEMENT", "code-agreement table", "--agreement")
