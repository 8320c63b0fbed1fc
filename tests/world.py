"""A tiny police world for hand-computed rule tests, written as a real data set directory.

The base world::

    NL ── R1 (regio Noord) ── M1 (Noorddorp), M2 (Noordstad)
       └─ R2 (regio Zuid)  ── M3 (Zuiddorp)

    units: NAT (national, serves NL), U1 (regional, R1) ── T1 (basisteam, M1); U2 (regional, R2)
    employees: E1 (person P1, T1, patrol), E2 (P2, U2, investigation), E3 (P3, NAT, intelligence)
    P1's partner P4; P4's brother P5; P2's partner P6 (so P6 is a colleague's partner)
    P10 lives in M1, P11 in M3 (strangers); P12 a vip in M1
    case C1 (open, owned by U2, sensitivity normal, subjects P11 suspect), E2 assigned
    organisation O1 with member P20 (in M3); P5 is friends with P20

Tests add accesses (and anything else) and run the rules on it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from graphrisk.contract import TABLES

DAY = "2026-03-02"


class World:
    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {name: [] for name in TABLES}
        self._n = 0
        add = self.add
        add("areas", area_id="NL", name="Nederland", parent_area_id="")
        add("areas", area_id="R1", name="Regio Noord", parent_area_id="NL")
        add("areas", area_id="R2", name="Regio Zuid", parent_area_id="NL")
        add("areas", area_id="M1", name="Noorddorp", parent_area_id="R1")
        add("areas", area_id="M2", name="Noordstad", parent_area_id="R1")
        add("areas", area_id="M3", name="Zuiddorp", parent_area_id="R2")
        add("units", unit_id="NAT", name="Landelijke Eenheid", parent_unit_id="", area_id="NL")
        add("units", unit_id="U1", name="Eenheid Noord", parent_unit_id="", area_id="R1")
        add("units", unit_id="T1", name="Basisteam Noorddorp", parent_unit_id="U1", area_id="M1")
        add("units", unit_id="U2", name="Eenheid Zuid", parent_unit_id="", area_id="R2")
        for pid, area, flags in (
            ("P1", "M1", ""),
            ("P2", "M3", ""),
            ("P3", "M2", ""),
            ("P4", "M1", ""),
            ("P5", "M2", ""),
            ("P6", "M3", ""),
            ("P10", "M1", ""),
            ("P11", "M3", ""),
            ("P12", "M1", "vip"),
            ("P20", "M3", ""),
        ):
            add(
                "persons",
                person_id=pid,
                name=f"Person {pid}",
                birth_date="1980-01-01",
                area_id=area,
                address_id="",
                flags=flags,
            )
        add(
            "employees",
            employee_id="E1",
            person_id="P1",
            unit_id="T1",
            rank="hoofdagent",
            role="patrol",
            start_date="2010-01-01",
            end_date="",
        )
        add(
            "employees",
            employee_id="E2",
            person_id="P2",
            unit_id="U2",
            rank="brigadier",
            role="investigation",
            start_date="2010-01-01",
            end_date="",
        )
        add(
            "employees",
            employee_id="E3",
            person_id="P3",
            unit_id="NAT",
            rank="inspecteur",
            role="intelligence",
            start_date="2010-01-01",
            end_date="",
        )
        self.relate("P1", "P4", "partner")
        self.relate("P4", "P5", "family")
        self.relate("P2", "P6", "partner")
        self.relate("P5", "P20", "friend")
        add(
            "cases",
            case_id="C1",
            name="Onderzoek Reiger",
            status="open",
            opened_on="2026-01-01",
            closed_on="",
            unit_id="U2",
            sensitivity="normal",
        )
        add("case_subjects", case_id="C1", person_id="P11", role="suspect")
        self.assign("E2", "C1")
        add("organisations", organisation_id="O1", name="De Reigers MC", kind="outlaw motorcycle club")
        add("memberships", person_id="P20", organisation_id="O1", role="member", since="")

    def add(self, table: str, **row) -> World:
        self.rows[table].append(row)
        return self

    def relate(self, a: str, b: str, kind: str) -> World:
        return self.add("relations", person_id=a, other_person_id=b, kind=kind, source="BRP", since="")

    def assign(self, employee: str, case: str, start: str = "2026-01-01", end: str = "") -> World:
        return self.add(
            "case_assignments",
            case_id=case,
            employee_id=employee,
            role="member",
            start_date=start,
            end_date=end,
        )

    def access(
        self,
        employee: str,
        target: str,
        *,
        kind: str = "person",
        case: str = "",
        action: str = "view",
        at: str = "10:00",
        day: str = DAY,
        access_id: str | None = None,
    ) -> str:
        self._n += 1
        aid = access_id or f"X{self._n}"
        self.add(
            "access_log",
            access_id=aid,
            ts=f"{day}T{at}:00+00:00",
            employee_id=employee,
            system="BVH",
            target_type=kind,
            target_id=target,
            action=action,
            case_id=case,
        )
        return aid

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        for name, rows in self.rows.items():
            if rows:
                frame = pd.DataFrame(rows, columns=TABLES[name].column_names)
                frame.to_csv(directory / f"{name}.csv", index=False)
        return directory
