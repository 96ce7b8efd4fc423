"""run_review: footprint × the request's layers and rasters → overlaps → rule verdicts."""

from __future__ import annotations

from pathlib import Path

from ..core.catalog import Catalog, load_catalog
from ..core.check import CheckResult, run_check, run_checks
from ..core.footprint import Footprint
from ..footprint_io import load_footprint
from ..paths import SAMPLE_CATALOG
from .request import Feedback, ReviewRequest


def build_request(footprint: Footprint | str | Path, layers: Catalog | str | Path | None = None, *,
                  crs=None, activity: str | None = None, facts: dict | None = None, sliver_m2: float = 1.0,
                  case: dict | None = None, overrides: list | None = None, check_range: bool = True,
                  vertex_area: bool = False) -> ReviewRequest:
    """A request from file paths (the sample layers when ``layers`` is None); ``check_range=False``
    accepts a footprint outside Ningxia."""
    fp = footprint if isinstance(footprint, Footprint) else load_footprint(footprint, crs=crs, check_range=check_range)
    cat = layers if isinstance(layers, Catalog) else load_catalog(layers or SAMPLE_CATALOG)
    return ReviewRequest(fp, cat, activity=activity or None, facts=dict(facts or {}), sliver_m2=sliver_m2,
                         case=dict(case or {}), overrides=list(overrides or []), vertex_area=vertex_area)


def run_review(request: ReviewRequest, feedback: Feedback | None = None) -> CheckResult:
    """Check the footprint against exactly the request's layers and rasters, then apply the rules."""
    fb = feedback or Feedback()
    result = run_check(request.footprint, request.catalog, sliver_m2=request.sliver_m2, vertex_area=request.vertex_area,
                       progress=lambda f, step: fb.set_progress(0.95 * f, step), cancelled=fb.is_canceled)
    fb.check_cancelled()
    if request.activity:
        fb.set_progress(0.96, "rules")
        apply_rules(result, request.activity, request.facts, request.overrides)
    fb.set_progress(1.0, "done")
    return result


def run_reviews(requests: list[ReviewRequest]) -> list[CheckResult | Exception]:
    """``run_review`` of many requests sharing their catalog, sliver and ``vertex_area``: the checks in
    bulk (``core.check.run_checks``: the same result per footprint as alone), then each one's rules. A
    request that fails gets its exception in its slot; an error of a layer is raised."""
    if not requests:
        return []
    first = requests[0]
    results = run_checks([r.footprint for r in requests], first.catalog, sliver_m2=first.sliver_m2,
                         vertex_area=first.vertex_area)
    out: list = []
    rules = None
    for req, res in zip(requests, results):
        if isinstance(res, CheckResult) and req.activity:
            try:
                if rules is None:  # once for all the requests (a file scan), not per request
                    from ..rules.engine import reload_rule_base
                    rules = reload_rule_base()
                apply_rules(res, req.activity, req.facts, req.overrides, rules=rules)
            except Exception as exc:  # noqa: BLE001 - one request's rules never stop the others
                res = exc
        out.append(res)
    return out


def apply_rules(result: CheckResult, activity: str, facts: dict, overrides: list | None = None, *,
                rules: tuple | None = None) -> None:
    """Add the activity and the rule engine's verdicts (with the officer's overrides) to ``result.data``;
    ``rules``: what ``reload_rule_base()`` gave (loaded here when None)."""
    from ..rules.engine import evaluate, reload_rule_base

    rb, err = rules if rules is not None else reload_rule_base()
    if rb is None:
        raise err  # no good rule set was ever loaded
    verdicts = evaluate(result.data, activity, facts, rb, overrides=overrides or None, rule_base_error=err)
    result.data["activity"] = verdicts["activity"]
    result.data["verdicts"] = verdicts
    result.data["inputs"] = [x for x in result.data["inputs"] if x.get("kind") != "rules"]  # applied again
    for f in verdicts.get("rule_set", {}).get("files", []):
        result.data["inputs"].append({"kind": "rules", "path": f["path"], "sha256": f["sha256"]})


def review_file(footprint: Footprint | str | Path, layers: Catalog | str | Path | None = None,
                **kw) -> CheckResult:
    """``run_review(build_request(footprint, layers, **kw))`` — one call for scripts and tests."""
    return run_review(build_request(footprint, layers, **kw))
