"""Shared fixtures: a small two-branch organisation with a user in every role and records at every
distance from them (same team, same branch, other branch) — the ground the access matrix walks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from kefu.core import scopes
from kefu.org.models import Employee, OrgUnit, UnitKind
from tests.access_matrix import SPOT_BUILDERS
from tests.factories import EmployeeFactory, OrgUnitFactory, make_user


def _clear_own_cache() -> None:
    """Empty this test worker's cache. On Redis, `cache.clear()` is FLUSHDB: it would also wipe the
    login throttle and rate limits another parallel worker is counting in the middle of its test, so
    only this worker's keys (its KEY_PREFIX) are deleted."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{backend.key_prefix}:*"))
        if keys:
            client.delete(*keys)
    else:
        backend.clear()


@pytest.fixture(autouse=True)
def _fast_hashing_and_clean_cache(settings: Any) -> Any:
    # argon2 is the production hasher (tested on its own); tests hash thousands of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _clear_own_cache()
    yield
    _clear_own_cache()


@dataclass
class Spot:
    """Records at one distance from the branch-A actors: their employee and unit, and marker strings
    that may appear in a response only if the actor is allowed to see this spot."""

    name: str
    employee: Employee
    unit: OrgUnit
    user: Any
    markers: list[str] = field(default_factory=list)


@dataclass
class World:
    group: OrgUnit
    branch_a: OrgUnit
    branch_b: OrgUnit
    team_a1: OrgUnit
    team_a2: OrgUnit
    team_b1: OrgUnit
    users: dict[str, Any]
    spots: dict[str, Spot]
    me: Employee  # the agent's own employee record


# Which spots lie outside each role's scope (the actors all sit in branch A / team A1).
FOREIGN_SPOTS = {
    scopes.AGENT: ["same_team", "same_branch", "other_branch"],
    scopes.TEAM_LEAD: ["same_branch", "other_branch"],
    scopes.QA: ["other_branch"],
    scopes.COMPLAINTS_OFFICER: ["other_branch"],
    scopes.FINANCE: ["other_branch"],
    scopes.BRANCH_HR: ["other_branch"],
    scopes.HQ_ADMIN: [],
}


@pytest.fixture
def world(db: Any) -> World:
    group = OrgUnitFactory(kind=UnitKind.GROUP, name="测试集团", code="G")
    branch_a = OrgUnitFactory(kind=UnitKind.BRANCH, name="华东分公司", code="A", parent=group)
    branch_b = OrgUnitFactory(kind=UnitKind.BRANCH, name="越界华南分公司", code="B", parent=group)
    centre_a = OrgUnitFactory(kind=UnitKind.CENTRE, name="华东客服中心", code="A-C", parent=branch_a)
    centre_b = OrgUnitFactory(kind=UnitKind.CENTRE, name="越界华南客服中心", code="B-C", parent=branch_b)
    dept_a = OrgUnitFactory(kind=UnitKind.DEPARTMENT, name="话务部", code="A-D", parent=centre_a)
    dept_b = OrgUnitFactory(kind=UnitKind.DEPARTMENT, name="越界华南话务部", code="B-D", parent=centre_b)
    team_a1 = OrgUnitFactory(kind=UnitKind.TEAM, name="话务一组", code="A-T1", parent=dept_a)
    team_a2 = OrgUnitFactory(kind=UnitKind.TEAM, name="越界话务二组", code="A-T2", parent=dept_a)
    team_b1 = OrgUnitFactory(kind=UnitKind.TEAM, name="越界华南一组", code="B-T1", parent=dept_b)

    me = EmployeeFactory(name="本人客服", employee_no="A0001", unit=team_a1)
    lead = EmployeeFactory(name="一组组长", employee_no="A0002", unit=team_a1, position_code="team_lead")
    users = {
        scopes.AGENT: make_user("agent", role=scopes.AGENT, unit=team_a1, employee=me),
        scopes.TEAM_LEAD: make_user("lead", role=scopes.TEAM_LEAD, unit=team_a1, employee=lead),
        scopes.QA: make_user("qa", role=scopes.QA, unit=branch_a),
        scopes.COMPLAINTS_OFFICER: make_user("complaints", role=scopes.COMPLAINTS_OFFICER, unit=branch_a),
        scopes.FINANCE: make_user("finance", role=scopes.FINANCE, unit=branch_a),
        scopes.BRANCH_HR: make_user("hr", role=scopes.BRANCH_HR, unit=branch_a),
        scopes.HQ_ADMIN: make_user("hq", role=scopes.HQ_ADMIN, unit=group),
    }
    spots = {}
    for name, unit, label, number in [
        ("same_team", team_a1, "越界同组客服", "X0001"),
        ("same_branch", team_a2, "越界同分公司客服", "X0002"),
        ("other_branch", team_b1, "越界他分公司客服", "X0003"),
    ]:
        employee = EmployeeFactory(name=label, employee_no=number, unit=unit)
        user = make_user(f"spot_{name}", role=scopes.AGENT, unit=unit, employee=employee)
        markers = [label, number] + ([unit.name] if name != "same_team" else [])
        spots[name] = Spot(name=name, employee=employee, unit=unit, user=user, markers=markers)
    world = World(group, branch_a, branch_b, team_a1, team_a2, team_b1, users, spots, me)
    for build in SPOT_BUILDERS:  # each app's records at every spot (tests/<app>/access_matrix.py)
        for spot in spots.values():
            spot.markers.extend(build(world, spot))
    return world
