"""The detect subpackage's public names and the dataclasses' JSON shape."""

from __future__ import annotations

import medcode.detect as detect_pkg
from medcode.detect import Concept, Entity, Trait


def test_all_names_exist() -> None:
    for name in detect_pkg.__all__:
        assert hasattr(detect_pkg, name), name


def test_entity_as_dict_shape() -> None:
    e = Entity(0, 4, "pain", 0.9, (Trait("SYMPTOM", 0.8),), (Concept("R52", "Pain, unspecified", 0.7, "x"),))
    assert e.as_dict() == {"begin": 0, "end": 4, "text": "pain", "category": "MEDICAL_CONDITION", "type": "DX_NAME",
                           "score": 0.9, "traits": [{"name": "SYMPTOM", "score": 0.8}],
                           "concepts": [{"code": "R52", "description": "Pain, unspecified", "score": 0.7,
                                         "evidence": "x"}]}
