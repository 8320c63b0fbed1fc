"""Scenario patterns: findings combined into the threat scenarios the domain knows.

A rule fires on one look-up for one reason; a scenario is what an analyst
recognises: curiosity about one's own family, a link to a criminal
organisation, a leak before a raid. Each finding belongs to exactly one
pattern, chosen by its rule and by the other findings **on the same look-up**:

- a look-up with a ``criminal-proximity-access`` finding is a *criminal link*
  with all its case, planned-action and flagged-person findings: a look-up
  of a subject of an open investigation against an organisation one is close
  to is one act, not three;
- else a look-up with a ``pre-action-lookup`` finding is a *pre-raid leak*, with
  its case and flagged-person findings;
- the other findings go to the pattern of their rule (:data:`PATTERNS`).

Each finding in the scores' evidence carries its scenario (``scenario`` in
:func:`graphrisk.scoring.explain.explain_all`), so an analyst reads "a criminal
link" rather than three rule names.

Patterns are a way of *reading* the score, not its components. Scoring each
pattern as one component (a look-up's findings added up, compared with the
peers' once) was measured and set aside: on the baseline world it lowered
average precision from 0.90 to 0.67 (several separate unusual signals of a
bulk browser or a curious insider were merged into one) and on the realistic
world it changed nothing (0.25 both). What "one clear pattern outranks many
weak findings" asks for is done by :func:`graphrisk.scoring.combine.combine_units`
(the strongest component counts fully, every other a quarter) and by the work
context (:mod:`graphrisk.scoring.context`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from graphrisk.frames import isin

__all__ = ["PATTERNS", "Pattern", "assign_patterns"]


@dataclass(frozen=True)
class Pattern:
    """A threat scenario: its id, title, the rules it gathers and its story."""

    id: str
    title: str
    rules: tuple[str, ...]
    story: str


PATTERNS: dict[str, Pattern] = {
    p.id: p
    for p in (
        Pattern(
            "own-network",
            "Look-ups in one's own network",
            ("own-network",),
            "Curiosity about relatives, partners, friends and neighbours: the most common leak.",
        ),
        Pattern(
            "colleagues-vips",
            "Look-ups of colleagues and flagged persons",
            ("colleague-lookup", "sensitive-target"),
            "Colleagues, their partners, celebrities and protected persons with no work around them.",
        ),
        Pattern(
            "criminal-link",
            "Look-ups about a criminal organisation one is close to",
            ("criminal-proximity-access",),
            "A relative, partner or friend in a criminal organisation; information about its members, "
            "its investigations and their subjects flows to it (double loyalty, the sleeper).",
        ),
        Pattern(
            "pre-raid-leak",
            "Look-ups right before a planned action",
            ("pre-action-lookup",),
            "Subjects and case files of a raid, arrest or search looked up in the days before it by "
            "someone not on the case: the classic leak to criminals.",
        ),
        Pattern(
            "case-curiosity",
            "Open cases without need to know",
            ("open-case-no-need-to-know",),
            "Open investigations and their subjects looked up by someone neither on the case nor in "
            "its unit.",
        ),
        Pattern(
            "browsing",
            "Browsing outside work",
            ("off-shift", "outside-territory", "unjustified-export"),
            "Look-ups in private time, outside the territory one serves, exports without a case: "
            "browsing rather than work.",
        ),
    )
}

_BY_RULE = {rule: p.id for p in PATTERNS.values() for rule in p.rules}
#: Rules whose findings join a criminal link or a pre-raid leak on the same look-up.
_JOINS = ("open-case-no-need-to-know", "pre-action-lookup", "sensitive-target")


def assign_patterns(weights: pd.DataFrame) -> np.ndarray:
    """The pattern of each finding (a row of the weights frame).

    Examples
    --------
    >>> w = pd.DataFrame({"access_id": ["A1", "A1", "A1", "A2", "A2", "A3"],
    ...     "rule_id": ["criminal-proximity-access", "open-case-no-need-to-know", "off-shift",
    ...                 "pre-action-lookup", "open-case-no-need-to-know", "open-case-no-need-to-know"]})
    >>> assign_patterns(w).tolist()
    ['criminal-link', 'criminal-link', 'browsing', 'pre-raid-leak', 'pre-raid-leak', 'case-curiosity']
    """
    rule = weights["rule_id"].astype(object)
    out = rule.map(_BY_RULE).fillna("browsing").to_numpy(dtype=object)
    joins = isin(rule, _JOINS)
    for anchor, pattern in (
        ("pre-action-lookup", "pre-raid-leak"),
        ("criminal-proximity-access", "criminal-link"),
    ):
        accesses = set(weights.loc[(rule == anchor).to_numpy(), "access_id"])
        out[joins & isin(weights["access_id"], accesses)] = pattern
    return out
