"""The sizes of the generated data sets.

A preset fixes the size of the organisation, the population and the crime
world, the default length of the log and how busy the systems are. Everything
else (the model itself) is the same for every preset.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_PREVALENCE", "MODEL_VERSION", "PRESETS", "PROFILE_VERSION", "Preset"]

#: Fraction of employees planted as insiders when no prevalence is given.
DEFAULT_PREVALENCE = 0.01

#: Bumped whenever the same seed would give different files; written to generator.json.
MODEL_VERSION = 1
#: Bumped whenever a realism profile (any but ``baseline``) would give different files for the same
#: seed; written to generator.json of those data sets only, so that the baseline's files (the
#: committed sample) stay byte-identical. 4: the fourth realism round (insiders in every
#: circumstance, second scenarios, team care, traffic checks, news incidents, part time). 5: the
#: fifth (insiders who hide in work, leavers with handovers or harvest, shared logins, canvasses,
#: missing-person searches). 6: the sixth (proxies, administrators who abuse their access, insiders
#: who adapt to a move, cases registered late, persons with two records).
PROFILE_VERSION = 6


@dataclass(frozen=True)
class Preset:
    """Sizes and knobs of one preset.

    ``activity`` scales the number of look-up sessions per shift and
    ``lines_per_lookup`` the number of log lines one look-up leaves (a screen
    that is opened, refreshed, printed); their product sets the volume of the
    access log. ``min_per_group`` is the least number of planted insiders per
    scenario and employees per planted look-alike group, so that small presets
    hold every scenario even when the prevalence alone would give fewer.
    """

    name: str
    employees: int
    persons: int
    districts_per_region: tuple[int, int]
    municipalities_per_district: tuple[int, int]
    organisations: int
    days: int
    activity: float
    lines_per_lookup: float
    min_per_group: int
    start: str = "2026-03-02"  # a Monday; the log starts at 00:00 Amsterdam time


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "tiny",
            employees=200,
            persons=4_000,
            districts_per_region=(1, 1),
            municipalities_per_district=(2, 2),
            organisations=4,
            days=14,
            activity=0.35,
            lines_per_lookup=1.0,
            min_per_group=1,
        ),
        Preset(
            "small",
            employees=400,
            persons=9_000,
            districts_per_region=(1, 2),
            municipalities_per_district=(2, 2),
            organisations=8,
            days=30,
            activity=0.25,
            lines_per_lookup=1.0,
            min_per_group=2,
        ),
        Preset(
            "medium",
            employees=5_000,
            persons=200_000,
            districts_per_region=(2, 4),
            municipalities_per_district=(2, 4),
            organisations=60,
            days=30,
            activity=0.8,
            lines_per_lookup=1.0,
            min_per_group=3,
        ),
        Preset(
            "national",
            employees=65_000,
            persons=2_000_000,
            districts_per_region=(3, 6),
            municipalities_per_district=(3, 5),
            organisations=600,
            days=1,
            activity=3.0,
            lines_per_lookup=3.0,
            min_per_group=5,
        ),
    )
}
