"""Result JSON of every shipped scenario and of the small benchmark footprints, for before/after
comparisons of a speed change (``created_at`` dropped, keys sorted):

    PYTHONPATH=TREE python benchmarks/dump_results.py OUTDIR [--footprints N]
    diff -r BEFORE AFTER        # must be empty
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "small"


def _write(path: Path, data: dict) -> None:
    data = {k: v for k, v in data.items() if k != "created_at"}
    path.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=0), encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--footprints", type=int, default=60)
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    import geopandas as gpd
    import pyogrio

    from ningxia_gis.core.catalog import load_catalog
    from ningxia_gis.core.check import run_check
    from ningxia_gis.core.footprint import Footprint
    from ningxia_gis.core.scenarios import load_scenarios
    from ningxia_gis.review import review_file

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for s in load_scenarios():
        _write(out / f"scenario_{s.id}.json", review_file(s.footprint, activity=s.activity, facts=s.facts).data)
    if (DATA / "catalog.toml").exists():
        for prepared in (False, True):
            cat = load_catalog(DATA / "catalog.toml")
            if prepared:
                for src in cat.sources():
                    src.prepare()
            fps = pyogrio.read_dataframe(DATA / "footprints.gpkg", max_features=args.footprints)
            for i, g in enumerate(fps.geometry.values):
                fp = Footprint(gdf=gpd.GeoDataFrame({"XMMC": [f"fp{i}"]}, geometry=[g], crs=fps.crs),
                               source=f"fp{i}", name=f"fp{i}", sha256="0" * 64)
                _write(out / f"small_{'ix' if prepared else 'read'}_{i:03d}.json", run_check(fp, cat).data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
