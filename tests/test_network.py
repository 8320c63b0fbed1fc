"""Network measures on small graphs whose answers are worked out by hand (networkx's own style)."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from graphrisk.network import crime_proximity, focused_subgraph, police_crime_brokerage, relation_distances
from graphrisk.network.brokerage import bridged_pairs


def test_pagerank_on_a_path_of_three_solved_by_hand():
    # pi_m = 1/4 pi_a + 1/2, pi_a = 1/2 (pi_m + pi_b), pi_b = 1/4 pi_a  =>  7/12, 4/12, 1/12
    pr = crime_proximity(nx.path_graph(["m", "a", "b"]), ["m"], alpha=0.5)
    assert pr == pytest.approx({"m": 7 / 12, "a": 4 / 12, "b": 1 / 12}, abs=1e-6)


def test_pagerank_on_a_star_is_symmetric_in_the_leaves_and_sums_to_one():
    # seed at the hub h of a star with 4 leaves: pi_h = (1 - a) + a * sum(pi_leaf); pi_leaf = a * pi_h / 4
    alpha = 0.8
    pr = crime_proximity(nx.star_graph(4), [0], alpha=alpha)
    hub = (1 - alpha) / (1 - alpha**2)
    assert pr[0] == pytest.approx(hub, abs=1e-6)
    for leaf in range(1, 5):
        assert pr[leaf] == pytest.approx(alpha * hub / 4, abs=1e-6)
    assert sum(pr.values()) == pytest.approx(1.0)


def test_pagerank_uses_edge_weights():
    g = nx.Graph()
    g.add_edge("m", "heavy", weight=3.0)
    g.add_edge("m", "light", weight=1.0)
    pr = crime_proximity(g, ["m"], alpha=0.5)
    assert pr["heavy"] == pytest.approx(3 * pr["light"], rel=1e-6)


def test_pagerank_refuses_the_null_graph_and_missing_seeds():
    with pytest.raises(nx.NetworkXPointlessConcept, match="null graph"):
        crime_proximity(nx.Graph(), ["m"])
    with pytest.raises(ValueError, match="no seed"):
        crime_proximity(nx.path_graph(3), ["nobody"])


def test_brokerage_sole_bridge_and_shared_bridges():
    sole = nx.Graph([("O", "m"), ("m", "p"), ("p", "E"), ("E", "U")])
    b = police_crime_brokerage(sole, police=["U"], crime=["O"])
    assert (b["E"], b["p"], b["m"], b["O"], b["U"]) == (1.0, 1.0, 1.0, 0.0, 0.0)
    two = nx.Graph(
        [("O", "m"), ("m", "p1"), ("p1", "E1"), ("E1", "U"), ("m", "p2"), ("p2", "E2"), ("E2", "U")]
    )
    b = police_crime_brokerage(two, police=["U"], crime=["O"])
    assert (b["E1"], b["E2"]) == (0.5, 0.5)


def test_brokerage_averages_over_pairs():
    # two organisations; only O1 reaches the unit, through E: E carries 1 of the 2 pairs
    g = nx.Graph([("O1", "m"), ("m", "E"), ("E", "U"), ("O2", "x")])
    b = police_crime_brokerage(g, police=["U"], crime=["O1", "O2"])
    assert b["E"] == pytest.approx(0.5)


def test_dead_ends_and_side_branches_change_no_brokerage():
    g = nx.Graph([("O", "m"), ("m", "E"), ("E", "U"), ("E", "leaf1"), ("leaf1", "leaf2"), ("m", "cousin")])
    b = police_crime_brokerage(g, police=["U"], crime=["O"])
    plain = police_crime_brokerage(nx.Graph([("O", "m"), ("m", "E"), ("E", "U")]), police=["U"], crime=["O"])
    assert b["E"] == plain["E"] == 1.0 and b["m"] == 1.0 and b["leaf1"] == b["cousin"] == 0.0


def test_an_employee_is_a_route_only_to_their_own_unit():
    # E1 looked up q, a relative of member m; E2 (another unit) is related to E1's own person p1:
    # E1 carries its own unit's route, but is no route for E2's unit U2
    g = nx.Graph(
        [("O", "m"), ("m", "q"), ("q", "E1"), ("E1", "p1"), ("E1", "U1"), ("p1", "E2"), ("E2", "U2")]
    )
    bridged, reach = bridged_pairs(g, police=["U1", "U2"], crime=["O"])
    assert reach == {"U1": 1} and bridged == {"m": 1.0, "q": 1.0, "E1": 1.0}


def test_brokerage_on_the_null_graph_is_refused():
    with pytest.raises(nx.NetworkXPointlessConcept):
        police_crime_brokerage(nx.Graph(), [], [])


@pytest.mark.parametrize(
    ("hops", "expected"),
    [(1, {"x": 0, "y": 1}), (2, {"x": 0, "y": 1, "z": 2}), (5, {"x": 0, "y": 1, "z": 2, "w": 3})],
)
def test_relation_distances(hops, expected):
    edges = pd.DataFrame({"a": ["x", "z", "z"], "b": ["y", "y", "w"]})
    assert relation_distances(edges, ["x"], hops).to_dict() == expected


def _world():
    employees = pd.DataFrame(
        {"employee_id": ["E1", "E2"], "person_id": ["P1", "P2"], "unit_id": ["U1", "U1"]}
    )
    # P1 - P3 - M (member of O); P2 - P9 - P8 - P7 (far from crime); S is a case co-subject of M
    relations = pd.DataFrame(
        {"person_id": ["P1", "P3", "P2", "P9", "P8"], "other_person_id": ["P3", "M", "P9", "P8", "P7"]}
    )
    memberships = pd.DataFrame({"person_id": ["M"], "organisation_id": ["O"]})
    subjects = pd.DataFrame(
        {"case_id": ["C", "C", "D"], "person_id": ["M", "S", "Q"], "role": ["suspect", "witness", "suspect"]}
    )
    return employees, relations, memberships, subjects


def test_focused_subgraph_keeps_the_short_paths_between_employees_and_crime():
    employees, relations, memberships, subjects = _world()
    g = focused_subgraph(employees, relations, memberships, subjects, hops=2)
    assert {"P:P1", "P:P3", "P:M", "O:O"} <= set(g)
    assert "P:P9" not in g and "C:C" not in g and "C:D" not in g  # not between an employee and crime
    # P2 knows S, a co-subject of M in case C: P2 - S - C - M is three steps
    relations = pd.concat([relations, pd.DataFrame({"person_id": ["P2"], "other_person_id": ["S"]})])
    g = focused_subgraph(employees, relations, memberships, subjects, hops=3)
    assert {"P:S", "C:C"} <= set(g) and "C:D" not in g  # D has no member as suspect
    assert g.nodes["E:E2"]["kind"] == "employee" and g.has_edge("E:E2", "U:U1")  # every employee is there
    assert g.edges["P:M", "O:O"]["kind"] == "MEMBER_OF"


def test_focused_subgraph_adds_lookups_of_persons_near_crime_only():
    employees, relations, memberships, subjects = _world()
    lookups = pd.DataFrame({"employee_id": ["E2", "E2"], "person_id": ["M", "P7"], "weight": [3.0, 1.0]})
    g = focused_subgraph(employees, relations, memberships, subjects, lookups, hops=2)
    assert g.edges["E:E2", "P:M"] == {"kind": "ACCESSED", "weight": 3.0}
    assert not g.has_edge("E:E2", "P:P7")


def test_a_unit_is_an_endpoint_never_a_route():
    # U2's only way to O runs through U1's employees: E1 - U1 - E2 - U2 would make E1 and E2
    # brokers for U2 if units were routes; they are not, so U2 is not reached at all
    g = nx.Graph([("O", "m"), ("m", "E1"), ("E1", "U1"), ("U1", "E2"), ("E2", "U2")])
    bridged, reach = bridged_pairs(g, police=["U1", "U2"], crime=["O"])
    assert reach == {"U1": 1} and bridged == {"m": 1.0, "E1": 1.0}


def test_pairs_beyond_the_radius_are_no_bridge():
    # O - m - p - E - U is 4 steps: within radius 4, out of reach at 3
    g = nx.Graph([("O", "m"), ("m", "p"), ("p", "E"), ("E", "U")])
    assert bridged_pairs(g, police=["U"], crime=["O"], radius=4) == ({"m": 1.0, "p": 1.0, "E": 1.0}, {"U": 1})
    assert bridged_pairs(g, police=["U"], crime=["O"], radius=3) == ({}, {})
    assert police_crime_brokerage(g, police=["U"], crime=["O"], radius=4) == police_crime_brokerage(
        g, police=["U"], crime=["O"]
    )
