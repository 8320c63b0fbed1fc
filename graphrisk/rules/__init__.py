"""Detection rules: a catalogue of insider-risk patterns, each in Cypher and vectorised pandas.

>>> sorted(RULES)[:3]
['colleague-lookup', 'criminal-proximity-access', 'off-shift']
"""

from graphrisk.rules.base import FINDING_COLUMNS, MATCH_COLUMNS, SEVERITIES, Param, Rule, to_findings
from graphrisk.rules.catalogue import RULES
from graphrisk.rules.engine import DetectResult, RuleRun, detect, engine_choice

__all__ = [
    "FINDING_COLUMNS",
    "MATCH_COLUMNS",
    "RULES",
    "SEVERITIES",
    "DetectResult",
    "Param",
    "Rule",
    "RuleRun",
    "detect",
    "engine_choice",
    "to_findings",
]
