"""The demand loop is one table (services.TRANSITIONS) whose entries carry their own handler: no branch on the
step's name is left in transition(), every entry's handler runs when its step is taken, and nothing else does."""

from __future__ import annotations

import ast
import inspect

import pytest

from jingkai.demands import permissions, services
from jingkai.demands.choices import DemandState
from tests.demands.test_transitions import ALLOWED, _params, _ready


def test_every_entry_names_its_states_its_predicate_and_its_own_handler():
    states = set(DemandState.values)
    handlers = [t.handle for t in services.TRANSITIONS.values()]
    for name, t in services.TRANSITIONS.items():
        assert t.name == name
        assert t.sources and set(t.sources) <= states, name
        assert t.target is None or t.target in states, name
        assert callable(t.handle) and callable(t.offered), name
        assert t.handle.__name__ == f"_{name}", name  # each step's handler is its own, named after it
        assert getattr(permissions, t.may.__name__) is t.may, name  # who may: a demands.permissions predicate
    assert len(set(handlers)) == len(handlers)


def test_transition_no_longer_branches_on_the_step():
    """The shared part of a step compares nothing with the step's name (the table decides)."""
    tree = ast.parse(inspect.getsource(services.transition))
    compared = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Compare)
        and any(isinstance(side, ast.Name) and side.id == "name" for side in [node.left, *node.comparators])
    ]
    assert compared == []


@pytest.mark.parametrize("name", list(services.TRANSITIONS))
def test_taking_a_step_runs_its_handler_and_no_other(zone, demand_in, file_demand, monkeypatch, name):
    demand = _ready(zone, demand_in, name)
    params = _params(zone, name, demand, file_demand)
    persona = sorted(ALLOWED[name])[0]
    ran = []
    for other, t in services.TRANSITIONS.items():

        def spy(step, handler=t.handle, label=other):
            ran.append(label)
            return handler(step)

        monkeypatch.setitem(services.TRANSITIONS, other, t.__class__(**{**t.__dict__, "handle": spy}))
    after = services.transition(demand, name, actor=zone[persona], **params)
    assert ran == [name]
    declared = services.TRANSITIONS[name].target
    if declared is not None and name != "reopen":
        assert after.state == declared
