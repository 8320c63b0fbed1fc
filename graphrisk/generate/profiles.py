"""Realism profiles: how noisy, varied and stealthy the generated world is.

Every phenomenon that makes real audit logs harder than a clean model (work in
another district without a rostered shift, operation support by officers not on
the case's assignment list, chance look-ups of one's own relatives, duplicate log
lines, ...) is one knob of :class:`Noise`, with a documented range. A profile
picks a value for every knob:

- ``baseline``: the model as it was before profiles existed; every new
  phenomenon is off and the output is byte-identical to earlier versions.
- ``realistic``: every knob in the middle of its range.
- ``harsh``: every knob near the top of its range (90%), the stealthiest insiders.
- ``random``: every knob drawn uniformly from its range by the seed, so that a
  sweep over seeds is a sweep over worlds.

docs/datasets.md (Profiles) has the table of knobs; ``python -m
graphrisk.generate.profiles`` prints it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from graphrisk.generate._common import stream

__all__ = ["PROFILES", "Noise", "knob_table", "noise_for"]

PROFILES = ("baseline", "realistic", "harsh", "random")
_HARSH = 0.9  # where in its range a knob sits in the harsh profile


def _knob(off: float, lo: float, hi: float, doc: str):
    """A knob: its value when off (the baseline profile), its range, what it models."""
    return field(default=off, metadata={"range": (lo, hi), "doc": doc})


@dataclass(frozen=True)
class Noise:
    """The intensity of every phenomenon; the defaults are the baseline profile (all off)."""

    # a. deployment days elsewhere
    deploy_share: float = _knob(
        0.0, 0.05, 0.30, "share of basisteam patrol and intake staff who have days deployed elsewhere"
    )
    deploy_days: float = _knob(0.0, 0.5, 3.0, "deployment days per 30 days of such an employee")
    deploy_unrostered: float = _knob(
        0.0, 0.4, 0.9, "share of deployment days with no shift in the table (else: shift at other hours)"
    )
    deploy_other_region: float = _knob(
        0.0, 0.2, 0.6, "share of deployment days in another region (else: elsewhere in the own region)"
    )
    # b. operation support, incomplete case teams
    support_per_action: float = _knob(
        0.0, 1.0, 8.0, "officers not on the case who support a planned action (mean per action)"
    )
    support_cite: float = _knob(0.0, 0.5, 0.9, "share of supporters' look-ups citing the case")
    support_odd_hours: float = _knob(
        0.0, 0.2, 0.6, "share of supporters' sessions at briefing hours or the evening before, off roster"
    )
    assign_missing: float = _knob(
        0.0, 0.03, 0.20, "share of assignments to open cases missing from case_assignments"
    )
    assign_late: float = _knob(
        0.0, 0.05, 0.30, "share of open-case assignments recorded 1-10 days after the work began"
    )
    # c. chance hits in routine work
    chance_hits: float = _knob(
        0.0,
        0.3,
        2.0,
        "on-shift look-ups per 30 days of someone in the own network (street role, median network;"
        " proportional to network size)",
    )
    chance_case: float = _knob(0.0, 0.05, 0.30, "share of chance hits that cite one of the employee's cases")
    # d. joint operations and events
    joint_events: float = _knob(0.0, 0.5, 3.0, "events or large incidents per region per 30 days")
    joint_staff: float = _knob(0.0, 10.0, 60.0, "employees of several units working one event")
    joint_off_roster: float = _knob(0.0, 0.1, 0.5, "share of an event's staff without a shift at the time")
    # e. staff as victims or witnesses
    staff_victims: float = _knob(
        0.0, 0.002, 0.02, "share of employees who (or whose relative) are victim or witness in a local case"
    )
    # f. shared household vehicles
    shared_vehicle: float = _knob(
        0.0, 0.05, 0.40, "share of vehicle checks where the driver is another member of the owner's household"
    )
    # g. people who moved
    movers: float = _knob(
        0.0, 0.01, 0.06, "share of adults registered at a new address in another municipality than where met"
    )
    # h. duplicate lines
    duplicate_lines: float = _knob(0.0, 0.02, 0.12, "share of look-ups logged twice, 0-5 seconds apart")
    refresh_bursts: float = _knob(
        0.0, 0.0005, 0.004, "share of look-ups followed by a burst of 5-30 refreshes"
    )
    # i. time
    edge_share: float = _knob(
        0.0, 0.05, 0.25, "share of shifts with look-ups just before the start or after the end"
    )
    edge_minutes: float = _knob(
        0.0, 5.0, 30.0, "how far before or after a shift such look-ups fall (minutes)"
    )
    overtime_share: float = _knob(0.02, 0.02, 0.10, "share of shifts with unrecorded overtime")
    overtime_max: float = _knob(45.0, 45.0, 180.0, "longest unrecorded overtime (minutes)")
    dst_error: float = _knob(
        0.0, 0.05, 0.50, "share of shifts in the days around the summer-time change recorded an hour off"
    )
    # j. other things real logs hold
    urgent_on_leave: float = _knob(
        0.0, 0.05, 0.50, "sessions per 30 days on a day off for an urgent matter of the own case"
    )
    trainee_curiosity: float = _knob(0.0, 1.0, 6.0, "curious look-ups of anyone per 30 days by aspirants")
    intake_country: float = _knob(
        0.05, 0.05, 0.25, "share of intake desk routine sessions anywhere in the country"
    )
    supervisor_checks: float = _knob(
        0.0, 1.0, 6.0, "team leaders' checks per 30 days of their unit's cases (case file and a subject)"
    )
    # insiders
    stealth: float = _knob(
        0.0, 0.3, 1.0, "how careful insiders are: more on shift, more pretext cases, fewer look-ups"
    )

    # k. the organisation changes during the log (appended last: the random profile's draws of the
    # knobs above stay the same)
    transfers: float = _knob(
        0.0, 0.01, 0.05, "share of staff who moved unit during the log (employees gives the new unit)"
    )
    transfer_assigned: float = _knob(
        0.0, 0.2, 0.8, "share of moved staff whose assignments to the old unit's cases are still listed"
    )
    absence: float = _knob(
        0.0,
        0.03,
        0.15,
        "share of staff absent 1-3 weeks in the log (leave, sickness): no shifts, no look-ups",
    )
    catch_up: float = _knob(
        0.0, 0.5, 2.0, "extra look-ups on the first shift back from an absence (times a normal shift's)"
    )
    # l. rosters that are not in the shifts table
    unrostered_units: float = _knob(
        0.0,
        0.01,
        0.08,
        "share of units whose roster system is not connected (half of them for part of the log)",
    )
    sparse_rosters: float = _knob(
        0.0, 0.02, 0.12, "share of staff (flexible, part-time) with 30-70% of their shifts not recorded"
    )
    # m. legitimate work across the country without a case
    admin_staff: float = _knob(
        0.0, 0.5, 3.0, "functional administrators, data-quality staff and auditors per 1,000 employees"
    )
    admin_lookups: float = _knob(0.0, 40.0, 250.0, "look-ups of such an employee per working day of checks")
    admin_evening: float = _knob(
        0.0, 0.1, 0.4, "share of their working days with an evening or weekend maintenance window, off roster"
    )
    info_requests: float = _knob(
        0.0,
        2.0,
        20.0,
        "requests of other forces, abroad, CIE or RIEC per 30 days per analyst: anyone, no case",
    )
    # n. clocks
    clock_local: float = _knob(
        0.0, 0.1, 1.0, "share of the log (its end) in which one system writes local time as UTC"
    )
    clock_drift: float = _knob(0.0, 1.0, 10.0, "minutes another system's clock runs ahead by the log's end")
    # o. insiders with two stories; staff looking up staff; traffic checks; incidents in the news
    # (appended last: the random profile's draws of the knobs above stay the same)
    second_scenario: float = _knob(
        0.0, 0.0, 0.3, "share of insiders who also carry a second, different scenario"
    )
    team_care: float = _knob(
        0.0,
        0.5,
        4.0,
        "look-ups per 30 days of their own staff by a team leader or HR adviser (sick leave, a complaint,"
        " screening)",
    )
    traffic_checks: float = _knob(
        0.0,
        0.5,
        4.0,
        "traffic checks per 30 days of a traffic officer: a burst of plate checks of cars from anywhere",
    )
    news_incidents: float = _knob(
        0.0, 0.5, 3.0, "incidents in the national news per 30 days whose persons staff of many units look up"
    )
    news_curious: float = _knob(
        0.0,
        0.2,
        2.0,
        "staff per 1,000 employees with no role in an incident in the news who look it up"
        " (insider:news-curiosity)",
    )
    part_time: float = _knob(
        0.0, 0.05, 0.25, "share of staff on a part-time contract: one or two fixed weekdays off"
    )
    # p. round 5: insiders who adapt, leavers, shared logins, canvasses, missing persons, handovers
    # (appended last: the random profile's draws of the knobs above stay the same)
    insider_cover: float = _knob(
        0.0, 0.1, 0.6, "share of insiders who hide their look-ups in a sitting of work, citing an own case"
    )
    insider_indirect: float = _knob(
        0.0,
        0.1,
        0.5,
        "share of their person look-ups made of the person's address, vehicle or housemate instead",
    )
    leavers: float = _knob(
        0.0, 0.002, 0.01, "share of staff whose contract ends in the log, beside the model's 0.4%"
    )
    leaver_harvest: float = _knob(
        0.0,
        0.05,
        0.3,
        "share of leavers who harvest data in their last weeks (insider:leaver-harvest)",
    )
    handover: float = _knob(
        0.0,
        0.3,
        0.9,
        "share of leavers and staff going on leave with cases who hand them over to a colleague",
    )
    shared_login: float = _knob(
        0.0,
        0.005,
        0.04,
        "share of desk and team shifts in which a colleague works under the employee's open login",
    )
    canvass: float = _knob(
        0.0, 0.1, 1.0, "street canvasses per 30 days per basisteam and district investigation team"
    )
    missing_persons: float = _knob(
        0.0, 0.3, 3.0, "missing-person searches per region per 30 days, looked up by many units in hours"
    )

    # q. round 6: proxies, administrators who abuse their access, insiders who adapt to a move,
    # cases registered late, persons with two records (appended last: the random profile's draws of
    # the knobs above stay the same)
    proxy: float = _knob(
        0.0,
        0.05,
        0.4,
        "share of personal-story insiders who get a friend of their unit to look up for them (insider:proxy)",
    )
    proxy_share: float = _knob(0.0, 0.2, 0.7, "share of such an insider's sittings the proxy does instead")
    admin_abuse: float = _knob(
        0.0,
        0.05,
        0.4,
        "share of functional administrators who also look up their own network, colleagues and VIPs"
        " within their broad checks (insider:admin-abuse)",
    )
    insider_move_adapt: float = _knob(
        0.0,
        0.3,
        1.0,
        "share of moved insiders who adapt: colleagues of the old unit before the move, quiet 3-14 days"
        " after it",
    )
    late_cases: float = _knob(
        0.0,
        0.02,
        0.15,
        "share of open cases registered 1-10 days into the log, after the work on them began",
    )
    duplicate_persons: float = _knob(
        0.0,
        0.005,
        0.04,
        "share of persons known to the police who have a second person record (a spelling variant)",
    )

    profile: str = "baseline"

    @property
    def enabled(self) -> bool:
        """False for the baseline profile: the generator then runs exactly the old model."""
        return self.profile != "baseline"

    def knobs(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self) if "range" in f.metadata}


def noise_for(profile: str, seed: int) -> Noise:
    """The knob values of ``profile`` (``random`` draws them from the seed)."""
    if profile == "baseline":
        return Noise()
    specs = [f for f in fields(Noise) if "range" in f.metadata]
    rng = stream(seed, "profile")
    u = rng.random(len(specs))
    values = {}
    for f, x in zip(specs, u.tolist(), strict=True):
        lo, hi = f.metadata["range"]
        share = {"realistic": 0.5, "harsh": _HARSH, "random": x}[profile]
        values[f.name] = round(lo + share * (hi - lo), 6)
    return Noise(**values, profile=profile)


def knob_table() -> str:
    """The Markdown table of every knob: what it models, its range, its value per profile."""
    base, real, harsh = Noise(), noise_for("realistic", 0), noise_for("harsh", 0)
    lines = [
        "| knob | models | range | baseline | realistic | harsh | random |",
        "|---|---|---|---:|---:|---:|---|",
    ]
    for f in fields(Noise):
        if "range" not in f.metadata:
            continue
        lo, hi = f.metadata["range"]
        lines.append(
            f"| `{f.name}` | {f.metadata['doc']} | {lo:g}-{hi:g} | {getattr(base, f.name):g} "
            f"| {getattr(real, f.name):g} | {getattr(harsh, f.name):g} | drawn |"
        )
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(knob_table())
