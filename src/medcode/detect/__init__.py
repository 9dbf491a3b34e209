"""Find diagnoses, signs and symptoms in clinical text and rank ICD-10-CM codes for each, with context.

An offline stand-in for AWS Comprehend Medical's InferICD10CM: :func:`detect` returns
:class:`Entity` objects whose ``as_dict()`` has InferICD10CM's field names.

>>> from medcode.kb.store import KB                         # doctest: +SKIP
>>> kb = KB.open("kb.sqlite")                                # doctest: +SKIP
>>> [c.code for c in detect("Pain in the right knee.", kb)[0].concepts][:1]  # doctest: +SKIP
['M25.561']

Modules: ``tokens`` (tokenising, abbreviations), ``matcher`` (term dictionary and mention matching),
``specificity`` (child-code choice), ``grade`` (a stated stage or grade), ``context`` +
``context_rules.toml`` (ConText modifiers), ``sections`` + ``section_rules.toml`` (note sections),
``detector`` (the pipeline), ``model`` (results).
"""

from __future__ import annotations

from medcode.detect.detector import Detector, detect_document, excludes1_conflicts
from medcode.detect.model import Concept, Conflict, Detection, Entity, Trait
from medcode.kb.store import KB

__all__ = ["Concept", "Conflict", "Detection", "Detector", "Entity", "Trait", "detect", "detect_document",
           "excludes1_conflicts"]


def detect(text: str, kb: KB) -> list[Entity]:
    """Entities (conditions, signs, symptoms) in ``text`` with up to five billable codes each, best first."""
    return Detector(kb).detect(text)
