"""``dumps_indented`` writes exactly what ``json.dumps(ensure_ascii=False, indent=1)`` writes."""

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from ningxia_gis.core.json_text import dumps_indented
from ningxia_gis.core.scenarios import find_scenario
from ningxia_gis.review import review_file


def _same(obj):
    assert dumps_indented(obj) == json.dumps(obj, ensure_ascii=False, indent=1)


_leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | \
    st.text(alphabet=st.characters(), max_size=8)
_json = st.recursive(_leaves, lambda kids: st.lists(kids, max_size=4) | st.tuples(kids, kids) |
                     st.dictionaries(st.text(max_size=4), kids, max_size=4), max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(_json)
def test_any_json_value(obj):
    _same(obj)


def test_a_review_result_and_the_unusual_cases():
    sc = find_scenario("road_crossing_redline")
    _same(review_file(sc.footprint, activity=sc.activity, facts=sc.facts).data)
    for obj in ({1: "a", None: 2, 1.5: True}, {"a": [math.nan, -math.inf, 1e300, -0.0, 2 ** 70]}, "路\n\"\\",
                {"x": {"y": {}}, "z": [[], {}]}, [True, False, None]):
        _same(obj)


def test_what_json_cannot_write_fails_the_same_way():
    import pytest
    for obj in ({"a": object()}, {"a": {1, 2}}):
        with pytest.raises(TypeError):
            json.dumps(obj, ensure_ascii=False, indent=1)
        with pytest.raises(TypeError):
            dumps_indented(obj)
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError):
        dumps_indented(loop)
