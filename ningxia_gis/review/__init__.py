"""The one review pipeline used by the desktop app, the command line and the batch.

    request = ReviewRequest(footprint, catalog, activity="county_road", facts={"unavoidable": True})
    result = run_review(request, Feedback(progress=print))
    write_outputs(result, {"json": "r.json", "pdf": "r.pdf"}, case=request.case)
"""

from .outputs import OUTPUTS, write_output, write_outputs
from .pipeline import apply_rules, build_request, review_file, run_review, run_reviews
from .request import Feedback, ReviewRequest

__all__ = ["OUTPUTS", "Feedback", "ReviewRequest", "apply_rules", "build_request", "review_file", "run_review", "run_reviews",
           "write_output",
           "write_outputs"]
