"""The employees' own circles: who is within a few relations of each employee's own person record.

Two things in scoring depend on it, never on behaviour: how large an employee's network is
(:func:`graphrisk.scoring.findings.network_size_divisor`) and whether a member of a criminal
organisation is in it at all (:func:`within_reach`), which decides who can have a
``criminal-proximity-access`` finding and so whom such findings are compared with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

__all__ = ["Circles", "own_circles", "within_reach"]


@dataclass(frozen=True)
class Circles:
    """``reached[i, j]`` is 1 when person ``persons[j]`` is within the hops of employee ``employee_ids[i]``
    (their own person record left out)."""

    reached: sparse.csr_array
    employee_ids: np.ndarray
    persons: np.ndarray

    def sizes(self) -> pd.Series:
        """How many persons each employee's circle holds."""
        return pd.Series(np.diff(self.reached.indptr), index=self.employee_ids)


def own_circles(employees: pd.DataFrame, relations: pd.DataFrame, hops: int = 2) -> Circles:
    """The persons within ``hops`` relations (read as undirected) of each employee's own person.

    Parameters
    ----------
    employees : ``employee_id``, ``person_id``.
    relations : ``person_id``, ``other_person_id``.

    Examples
    --------
    >>> emp = pd.DataFrame({"employee_id": ["E1", "E2"], "person_id": ["A", "B"]})
    >>> rel = pd.DataFrame({"person_id": ["A", "x"], "other_person_id": ["x", "y"]})
    >>> own_circles(emp, rel, hops=2).sizes().to_dict()
    {'E1': 2, 'E2': 0}
    """
    r = relations[relations["person_id"] != relations["other_person_id"]]
    x, y = r["person_id"].to_numpy(dtype=object), r["other_person_id"].to_numpy(dtype=object)
    own = employees["person_id"].to_numpy(dtype=object)
    codes, persons = pd.factorize(np.concatenate([x, y, own]), use_na_sentinel=False)
    employee, employee_ids = pd.factorize(employees["employee_id"].to_numpy(dtype=object))
    n, m = len(persons), len(x)
    # a sparse matrix (employees x persons) grown one relation at a time, each entry 1 before every
    # step (so a step counts at most n paths per entry: no overflow in int32); millions of relations,
    # no frame of pairs
    a, b = codes[:m], codes[m : 2 * m]
    step = sparse.csr_array(
        (np.ones(2 * m, dtype=np.int32), (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n, n)
    )
    step.data[:] = 1  # a pair related both ways, or in several kinds, is one relation
    start = sparse.csr_array(
        (np.ones(len(own), dtype=np.int32), (employee, codes[2 * m :])), shape=(len(employee_ids), n)
    )
    reached = start
    for _ in range(hops):
        reached = reached + reached @ step
        reached.data[:] = 1
    reached = reached - start.multiply(reached)  # the employee's own person is not in their circle
    reached.eliminate_zeros()
    return Circles(sparse.csr_array(reached), np.asarray(employee_ids, dtype=object), np.asarray(persons))


def within_reach(
    employees: pd.DataFrame,
    relations: pd.DataFrame,
    memberships: pd.DataFrame,
    hops: int = 2,
    circles: Circles | None = None,
) -> pd.Series:
    """Whether a member of a criminal organisation is within ``hops`` relations of each employee.

    Exactly the employees for whom ``criminal-proximity-access`` can fire (its ``max_hops``): a
    member other than the employee, on a relation path from the employee's own person record.

    Examples
    --------
    >>> emp = pd.DataFrame({"employee_id": ["E1", "E2", "E3"], "person_id": ["A", "B", "M"]})
    >>> rel = pd.DataFrame({"person_id": ["A", "x", "B"], "other_person_id": ["x", "M", "z"]})
    >>> mem = pd.DataFrame({"person_id": ["M"], "organisation_id": ["G1"]})
    >>> within_reach(emp, rel, mem, hops=2).to_dict()  # M is a member, but related to no other member
    {'E1': True, 'E2': False, 'E3': False}
    """
    ids = pd.Index(employees["employee_id"], name="employee_id")
    if memberships.empty or relations.empty:
        return pd.Series(False, index=ids)
    circles = circles if circles is not None else own_circles(employees, relations, hops)
    member = pd.Index(memberships["person_id"].dropna().unique())
    columns = np.flatnonzero(member.get_indexer(circles.persons) >= 0)
    hit = np.asarray(circles.reached[:, columns].sum(axis=1)).ravel() > 0
    return pd.Series(hit, index=circles.employee_ids).reindex(ids).fillna(False).astype(bool)
