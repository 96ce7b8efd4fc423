"""The compiled yes/no schema test gives jsonschema's answer: on real review results, on every kind of
mutation of them, and on the edge cases of draft 2020-12 (integer 2.0, booleans that are not numbers)."""

import copy
import json
import math
import random

import jsonschema
import pytest

from ningxia_gis.core import result_schema
from ningxia_gis.core.check import validate_result
from ningxia_gis.core.schema_fast import UnsupportedSchema, compile_schema
from ningxia_gis.core.scenarios import load_scenarios
from ningxia_gis.domain.errors import NingxiaGisError
from ningxia_gis.review import review_file


@pytest.fixture(scope="module")
def results():
    scenarios = load_scenarios()
    picked = [scenarios[0], scenarios[len(scenarios) // 2], scenarios[-1]]
    return [json.loads(json.dumps(review_file(s.footprint, activity=s.activity, facts=s.facts).data,
                                  ensure_ascii=False)) for s in picked]


def _nodes(x, path=()):
    yield path, x
    if isinstance(x, dict):
        for k, v in x.items():
            yield from _nodes(v, path + (k,))
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from _nodes(v, path + (i,))


def _mutants(data, rng, n):
    """``n`` copies of ``data``, each with one node replaced (by a value of another type, a number out of
    range, an unknown text), deleted or given an extra key."""
    nodes = [p for p, _ in _nodes(data) if p]
    values = [None, "x", "", -1, -1.5, 0, 2.0, 1e300, True, False, [], {}, [1], {"a": 1}, math.nan]
    for _ in range(n):
        d = copy.deepcopy(data)
        path = rng.choice(nodes)
        parent = d
        for k in path[:-1]:
            parent = parent[k]
        key = path[-1]
        what = rng.random()
        if what < 0.15 and isinstance(parent, dict):
            del parent[key]
        elif what < 0.2 and isinstance(parent, dict):
            parent["unknown_key"] = 1
        else:
            parent[key] = rng.choice(values)
        yield d


def test_real_results_and_their_mutants_get_jsonschemas_answer(results):
    fast = compile_schema(result_schema._schema())
    ref = result_schema.validator()
    rng = random.Random(19)
    seen = {True: 0, False: 0}
    for data in results:
        assert fast(data) and ref.is_valid(data)
        for m in _mutants(data, rng, 150):
            want = ref.is_valid(m)
            assert fast(m) == want
            seen[want] += 1
    assert seen[True] > 20 and seen[False] > 100  # both answers were exercised


def test_draft_2020_12_edge_cases():
    schema = {"$defs": {"n": {"type": "integer", "minimum": 0}, "tree": {"type": "object", "properties": {
        "kids": {"type": "array", "items": {"$ref": "#/$defs/tree"}}}, "required": ["v"]}},
        "type": "object", "properties": {
            "i": {"$ref": "#/$defs/n"},
            "e": {"enum": [1, "a", None]},
            "c": {"const": False},
            "o": {"oneOf": [{"type": "number"}, {"type": "integer"}]},
            "s": {"type": "string", "minLength": 2},
            "l": {"type": "array", "minItems": 1, "maxItems": 2},
            "m": {"type": ["number", "null"], "maximum": 1},
            "t": {"$ref": "#/$defs/tree"}}}
    fast, ref = compile_schema(schema), jsonschema.Draft202012Validator(schema)
    cases = [{"i": 2.0}, {"i": 2.5}, {"i": True}, {"i": -1}, {"e": True}, {"e": 1.0}, {"e": None}, {"c": 0},
             {"c": False}, {"o": 1}, {"o": 1.5}, {"s": "ab"}, {"s": "a"}, {"s": 12}, {"l": []}, {"l": [1, 2, 3]},
             {"l": [1]}, {"m": None}, {"m": 2}, {"m": math.nan}, {"m": "1"}, {"t": {"v": 1, "kids": [{"v": 2}]}},
             {"t": {"v": 1, "kids": [{"kids": []}]}}, {"t": {"kids": []}}, [], "x"]
    for c in cases:
        assert fast(c) == ref.is_valid(c), c


def test_unknown_keywords_are_refused_not_skipped():
    for schema in ({"type": "object", "additionalProperties": False}, {"pattern": "^a"}, {"type": "date"},
                   {"$ref": "other.json#/x"}):
        with pytest.raises(UnsupportedSchema):
            compile_schema(schema)


def test_a_broken_result_is_still_refused_with_the_field_named(results):
    bad = copy.deepcopy(results[0])
    bad["layers"][0]["area"]["planar_m2"] = "many"
    assert not result_schema.conforms(bad)
    with pytest.raises(NingxiaGisError) as e:
        validate_result(bad)
    assert e.value.key == "result.schema_invalid" and e.value.fields["where"] == "layers/0/area/planar_m2"
