"""Synthetic inputs for report tests and previews (no layer files needed).

`synthetic_result(n)` builds a schema-shaped check result whose footprint covers ``n`` farmland parcels
(one overlap piece each); `example_verdicts(data)` a verdicts dict of the rule engine's shape.
"""

from __future__ import annotations

from ..domain.vocab import verdict_label

import math

import shapely

from ..core.areas import ellipsoidal_areas
from ..core.units import area_block

EPSG = 4544
ORIGIN = (588_000.0, 4_140_000.0)  # 红寺堡 area, CGCS2000 CM 105E


def _wkt(g) -> str:
    return shapely.to_wkt(g, rounding_precision=3, trim=True)


def synthetic_result(n_pieces: int = 300, *, cell: float = 40.0, gap: float = 4.0, id_prefix: str = "NT") -> dict:
    """A result with one permanent-farmland layer of ``n_pieces`` parcels inside a rectangular footprint.

    Feature ids are ``f"{id_prefix}{i:05d}"`` (never a substring of one another). Layer files do not
    exist, so maps are drawn from the JSON geometries.
    """
    ncol = max(1, math.ceil(math.sqrt(n_pieces)))
    nrow = math.ceil(n_pieces / ncol)
    x0, y0 = ORIGIN
    fp = shapely.box(x0, y0, x0 + ncol * (cell + gap) + gap, y0 + nrow * (cell + gap) + gap)
    fp_e = float(ellipsoidal_areas([fp], EPSG)[0])
    boxes = []
    for i in range(n_pieces):
        r, c = divmod(i, ncol)
        bx, by = x0 + gap + c * (cell + gap), y0 + gap + r * (cell + gap)
        # vary the sizes a little so that every row's area differs
        boxes.append(shapely.box(bx, by, bx + cell - (i % 7) * 0.37, by + cell - (i % 11) * 0.29))
    ell = ellipsoidal_areas(boxes, EPSG)
    pieces = []
    for i, (g, e) in enumerate(zip(boxes, ell), 1):
        fid = f"{id_prefix}{i:05d}"
        key = {"YJJBNTTBBH": fid, "DLBM": "0102" if i % 3 else "0103", "DLMC": "水浇地" if i % 3 else "旱地",
               "KCXS": 0.05, "ZLDWMC": f"第{(i % 9) + 1}村"}
        pieces.append({"piece_id": i, "feature_id": fid, "zone": "永久基本农田", "key": key,
                       "attributes": {**key, "BSM": str(i)}, "area": area_block(float(g.area), float(e)),
                       "sliver": False, "geometry_wkt": _wkt(g)})
    union = shapely.union_all(boxes)
    total = area_block(float(union.area), float(ellipsoidal_areas([union], EPSG)[0]))
    share = total["ellipsoidal_m2"] / fp_e
    layer = {"id": "yjjbnt", "name": "永久基本农田", "role": "permanent_basic_farmland", "role_name": "永久基本农田",
             "source": "/nonexistent/synthetic.gpkg", "source_layer": "YJJBNT", "sha256": "0" * 64,
             "source_crs": "EPSG:4490", "feature_count": n_pieces, "hit_count": n_pieces, "status": "occupied",
             "area": total, "share_of_footprint": share,
             "by_zone": [{"zone": "永久基本农田", "area": total, "share_of_footprint": share,
                          "piece_count": n_pieces, "status": "occupied"}],
             "pieces": pieces, "warnings": []}
    empty = area_block(0.0, 0.0)
    redline = {"id": "stbhhx", "name": "生态保护红线", "role": "eco_redline", "role_name": "生态保护红线",
               "source": "/nonexistent/synthetic.gpkg", "source_layer": "STBHHX", "sha256": "1" * 64,
               "source_crs": "EPSG:4490", "feature_count": 3, "hit_count": 0, "status": "not_touched",
               "area": empty, "share_of_footprint": 0.0, "by_zone": [], "pieces": [], "warnings": []}
    return {
        "schema_version": "1.0",
        "program": {"name": "ningxia_gis", "version": "test"},
        "created_at": "2025-01-01T09:00:00+08:00",
        "analysis_crs": {"epsg": EPSG, "label": "EPSG:4544 CGCS2000 / 3-degree Gauss-Kruger CM 105E",
                         "central_meridian": 105.0},
        "area_method": {"primary": "ellipsoidal", "ellipsoidal": "CGCS2000 椭球面积", "planar": "GK plane"},
        "sliver_threshold_m2": 1.0,
        "catalog": {"name": "合成测试图层", "synthetic": True, "note": ""},
        "footprint": {"source": "synthetic_footprint.geojson", "sha256": "f" * 64, "name": "合成测试项目",
                      "input_crs": "EPSG:4544", "parcel_count": 1, "ring_count": 1, "vertex_count": 5,
                      "area": area_block(float(fp.area), fp_e), "bounds_lonlat": [105.99, 37.38, 106.01, 37.40],
                      "centroid_lonlat": [106.0, 37.39],
                      "parcels": [{"index": 1, "attributes": {"XMMC": "合成测试项目"},
                                   "area": area_block(float(fp.area), fp_e)}],
                      "geometry_wkt": _wkt(fp)},
        "location": {"county": "红寺堡区", "code": "640303"},
        "layers": [redline, layer],
        "activity": None, "verdicts": None,
        "inputs": [{"kind": "footprint", "path": "synthetic_footprint.geojson", "sha256": "f" * 64}],
        "warnings": [],
    }


def example_verdicts(data: dict, *, verdict: str = "有条件允许") -> dict:
    """A verdicts dict of the rule engine's shape for ``data`` (one zone entry per touched layer), for
    layout tests of hand-made results; tests of real cases use the rule engine."""
    verdict_en = verdict_label(verdict, "en")
    zones = []
    for x in data["layers"]:
        if x["role"] == "admin_boundary":
            continue
        touched = x["status"] in ("occupied", "touching")
        zones.append({
            "layer_id": x["id"], "layer_name": x["name"], "role": x["role"],
            "zone": (x["by_zone"][0]["zone"] if x.get("by_zone") else None), "status": x["status"],
            "area": x["area"], "share_of_footprint": x["share_of_footprint"],
            "verdict": verdict if touched else "不涉及", "verdict_en": verdict_en if touched else "not affected",
            "rule_id": f"{x['role']}.test_rule" if touched else None, "rule_status": "seed" if touched else None,
            "rule_title": f"{x['name']}测试规则" if touched else None,
            "quote": f"{x['name']}原则上不得占用（测试条款）。" if touched else None,
            "source": {"doc": "S-TEST", "title": "测试管理办法", "doc_number": "宁测〔2025〕1号", "section": "第三条",
                       "line": 12, "file": "test_seed.txt"} if touched else None,
            "conditions": ["须开展不可避让论证（测试条件）。"] if touched else [],
            "procedure": {"steps": ["论证：县级人民政府组织论证（测试）"]} if touched else None,
            "reasons": [], "trace": []})
    return {
        "activity": {"id": "pv_power", "name_zh": "光伏发电项目", "name_en": "PV power",
                     "facts": {"unavoidable": False, "temporary": None}},
        "overall": {"verdict": verdict, "verdict_en": verdict_en,
                    "summary_zh": f"结论：{verdict}（光伏发电项目，测试结论）。"},
        "zones": zones,
        "procedures": [{"step": "论证：县级人民政府组织论证（测试）", "rule_ids": ["x"], "zones": ["永久基本农田"]}],
        "rule_set": {"version": "9.9.9-test", "files": [{"path": "resources/rules/test.yaml", "sha256": "a" * 64}]},
        "notes": ["本结论为测试用辅助审查意见。"],
    }
