"""Review reports: the report model (Qt-free) and its PDF, Word, Excel and GeoPackage outputs.

    from ningxia_gis.report import build_report_model
    model = build_report_model(result.data, {"case_number": "…", "reviewer": "…"})

The files are written through ``ningxia_gis.review.outputs`` (atomic, one registry for every front end).
Importing this package loads neither Qt nor matplotlib; ``report.pdf`` imports Qt when called.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..domain.errors import InputError
from .model import CaseMeta, ReportModel, boundary_points, build_report_model

__all__ = ["CaseMeta", "ReportModel", "boundary_points", "build_report_model", "load_result"]


def load_result(path) -> dict:
    """A saved check result JSON (``ningxia-gis check --json``)."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("result.not_found", file=p) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError("result.not_json", file=p) from None
    if not isinstance(data, dict) or "footprint" not in data or "layers" not in data or "analysis_crs" not in data:
        raise InputError("result.not_json", file=p)
    from ..core.result_schema import validate_result
    validate_result(data, p)  # a wrongly typed field: one line naming it, not an AttributeError later
    if not data["footprint"].get("geometry_wkt"):
        raise InputError("result.no_geometry", file=p)
    return data
