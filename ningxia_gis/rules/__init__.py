"""Permitted-activity rule base and verdict engine (Qt-free, pure functions).

Rules are data (resources/rules/*.yaml, validated against resources/schema/rules.schema.json);
:func:`evaluate` turns a check result plus an activity type into per-zone verdicts with the rule,
the quoted source clause, the procedure and a decision trace; :func:`record_override` keeps an officer's
conclusion beside the machine's; ``ningxia-gis rules lint`` (:mod:`.lint`) checks the pack.  See docs/rules.md.
"""

from .activities import find_activity, list_activities, parse_facts, resolve_facts
from .cite import cite
from .engine import evaluate, record_override
from .loader import check_rule_file, load_rule_base, reload_rule_base
from .model import VERDICT_EN, VERDICTS_STRICTEST_FIRST, Activity, Rule, RuleBase

__all__ = [
    "Activity", "Rule", "RuleBase", "VERDICT_EN", "VERDICTS_STRICTEST_FIRST",
    "check_rule_file", "cite", "evaluate", "record_override", "find_activity", "list_activities", "load_rule_base",
    "parse_facts", "reload_rule_base", "resolve_facts",
]
