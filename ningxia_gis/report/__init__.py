"""Review reports: the report model (Qt-free) and its PDF, Word, Excel and GeoPackage outputs.

    from ningxia_gis.report import build_report_model, write_reports
    model = build_report_model(result.data, {"case_number": "…", "reviewer": "…"})
    write_reports(model, pdf="r.pdf", docx="r.docx", xlsx="r.xlsx")

Importing this package loads neither Qt nor matplotlib; `write_pdf` imports Qt when called.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..domain.errors import InputError
from .model import CaseMeta, ReportModel, boundary_points, build_report_model

__all__ = ["CaseMeta", "ReportModel", "boundary_points", "build_report_model", "load_result", "write_docx",
           "write_gpkg", "write_pdf", "write_reports", "write_xlsx"]


def write_pdf(model: ReportModel, path, **kw) -> Path:
    from .pdf import write_pdf as _w
    return _w(model, path, **kw)


def write_docx(model: ReportModel, path, **kw) -> Path:
    from .docx import write_docx as _w
    return _w(model, path, **kw)


def write_xlsx(model: ReportModel, path) -> Path:
    from .xlsx import write_xlsx as _w
    return _w(model, path)


def write_gpkg(data: dict, path) -> Path:
    """GeoPackage of the overlap pieces (+ footprint) from a result dict (`exports.write_pieces_gpkg`)."""
    import shapely

    from ..core.check import CheckResult
    from ..exports import write_pieces_gpkg

    result = CheckResult(data=data, epsg=int(data["analysis_crs"]["epsg"]),
                         footprint_geom=shapely.from_wkt(data["footprint"]["geometry_wkt"]))
    write_pieces_gpkg(result, path)
    return Path(path)


def load_result(path) -> dict:
    """A saved check result JSON (``ningxia-gis check --json``)."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"result file not found: {p}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{p.name}: not a check result JSON ({exc})") from None
    if not isinstance(data, dict) or "footprint" not in data or "layers" not in data or "analysis_crs" not in data:
        raise InputError(f"{p.name}: not a check result JSON (no footprint/layers/analysis_crs)")
    from ..core.result_schema import validate_result
    validate_result(data, p)  # a wrongly typed field: one line naming it, not an AttributeError later
    if not data["footprint"].get("geometry_wkt"):
        raise InputError(f"{p.name}: the result carries no footprint geometry (geometry_wkt)")
    return data


def write_reports(model: ReportModel, *, pdf=None, docx=None, xlsx=None, gpkg=None, use_sources: bool = True,
                  map_dpi: int | None = None) -> list[Path]:
    """Write the requested outputs (maps rendered once for PDF and Word); returns the written paths."""
    out = []
    kw = {"use_sources": use_sources, **({"map_dpi": map_dpi} if map_dpi else {})}
    if pdf:
        out.append(write_pdf(model, pdf, **kw))
    if docx:
        out.append(write_docx(model, docx, **kw))
    if xlsx:
        out.append(write_xlsx(model, xlsx))
    if gpkg:
        out.append(write_gpkg(model.data, gpkg))
    return out
