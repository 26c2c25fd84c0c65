"""The access matrix: every page and API route × every role, aimed at records outside the role's scope.

Routes are discovered from the URL resolver and the OpenAPI document, not listed by hand. For each
role, a foreign record can be neither read (detail → 403/404, lists never show its markers) nor
changed (writes → 403/404 and no audit entry appended).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from kefu.api import api
from kefu.core import scopes
from kefu.core.models import AuditEntry
from tests.access_matrix import PARAMS, PUBLIC_PAGES, SELF_ONLY, WRITE_BODIES
from tests.conftest import FOREIGN_SPOTS, World

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Route:
    kind: str  # "page" or "api"
    template: str  # "/org/units/<unit_id>/" or "/api/v1/org/units/{unit_id}"
    methods: tuple[str, ...]
    params: tuple[str, ...]

    def url(self, values: dict[str, Any]) -> str:
        pattern = r"<(\w+)>" if self.kind == "page" else r"\{(\w+)\}"
        return re.sub(pattern, lambda m: str(values[m.group(1)]), self.template)


def _page_routes() -> list[Route]:
    found: list[Route] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for entry in patterns:
            text = str(entry.pattern).lstrip("^").rstrip("$")
            if isinstance(entry, URLResolver):
                if entry.namespace in {"admin", "api"} or text.startswith("api/"):
                    continue  # admin is HQ-only (tested apart); the API is walked through OpenAPI
                walk(entry.url_patterns, prefix + text)
            elif isinstance(entry, URLPattern):
                if entry.name in PUBLIC_PAGES:
                    continue
                template = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", prefix + text)
                params = tuple(re.findall(r"<(\w+)>", template))
                # Every page is tried with POST too: reading pages must refuse it (405), never act.
                found.append(Route("page", template, ("GET", "POST"), params))

    walk(get_resolver().url_patterns, "")
    return found


def _api_routes() -> list[Route]:
    schema = api.get_openapi_schema()
    routes = []
    for path, operations in schema["paths"].items():
        methods = tuple(sorted(m.upper() for m in operations))
        routes.append(Route("api", path, methods, tuple(re.findall(r"\{(\w+)\}", path))))
    return routes


ROUTES = _page_routes() + _api_routes()
ROLES = [r for r in scopes.ALL_ROLES if FOREIGN_SPOTS[r]]


def _client(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _values(route: Route, world: World, spot: Any) -> dict[str, Any]:
    missing = [p for p in route.params if p not in PARAMS]
    assert not missing, (
        f"{route.template}: register how to name a foreign record for {missing} in tests/access_matrix.py"
    )
    return {p: PARAMS[p](world, spot) for p in route.params}


def _request(client: Client, method: str, url: str, body: Any, kind: str) -> Any:
    if method == "GET":
        return client.get(url)
    if kind == "page":
        return client.post(url, body or {})
    return client.generic(method, url, data="" if body is None else json.dumps(body), content_type="application/json")


def test_routes_are_discovered() -> None:
    templates = {r.template for r in ROUTES}
    assert "/org/employees/<employee_id>/" in templates
    assert "/api/v1/org/employees/{employee_id}" in templates
    assert "/api/v1/policy/units/{unit_id}/values/{key}" in templates


# One world per route, every role inside: the world is the expensive part.
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.kind}:{r.template}")
def test_foreign_records_cannot_be_read(world: World, route: Route) -> None:
    for role in ROLES:
        client = _client(world, role)
        for spot_name in FOREIGN_SPOTS[role]:
            spot = world.spots[spot_name]
            url = route.url(_values(route, world, spot))
            # Lists may redirect (e.g. to the actor's own page): follow, then look for foreign markers.
            response = client.get(url, follow=not route.params)
            if route.params:
                assert response.status_code in (403, 404, 405), (
                    f"{role} read {url} ({spot_name}, outside its scope): HTTP {response.status_code}"
                )
            elif response.status_code == 200:
                body = response.content.decode()
                leaked = [m for m in spot.markers if m in body]
                assert not leaked, f"{role} GET {url} shows {spot_name} records outside its scope: {leaked}"
            else:
                assert response.status_code in (403, 404, 405), f"{role} GET {url}: HTTP {response.status_code}"


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if WRITE_METHODS & set(r.methods)], ids=lambda r: f"{r.kind}:{r.template}"
)
def test_foreign_records_cannot_be_changed(world: World, route: Route) -> None:
    for role in ROLES:
        _assert_role_cannot_change(world, role, route)


def _assert_role_cannot_change(world: World, role: str, route: Route) -> None:
    client = _client(world, role)
    for method in sorted(WRITE_METHODS & set(route.methods)):
        key = (method, route.template)
        if key in SELF_ONLY:
            continue
        if route.kind == "page" and key not in WRITE_BODIES:
            # A page that takes no POST must refuse it outright, never act on it.
            for spot_name in FOREIGN_SPOTS[role]:
                url = route.url(_values(route, world, world.spots[spot_name]))
                before = AuditEntry.objects.count()
                response = client.post(url, {})
                assert response.status_code in (403, 404, 405), f"{role} POST {url}: HTTP {response.status_code}"
                assert AuditEntry.objects.count() == before
            continue
        assert key in WRITE_BODIES, f"{method} {route.template}: register a body aimed at a foreign record"
        for spot_name in FOREIGN_SPOTS[role]:
            spot = world.spots[spot_name]
            url = route.url(_values(route, world, spot))
            body = WRITE_BODIES[key](world, spot)
            before = AuditEntry.objects.count()
            response = _request(client, method, url, body, route.kind)
            assert response.status_code in (403, 404), (
                f"{role} {method} {url} ({spot_name}, outside its scope): HTTP {response.status_code}"
                f" {response.content[:300]!r}"
            )
            assert AuditEntry.objects.count() == before, f"{role} {method} {url} wrote something"


# Tokens belong to their owner alone, HQ included, so they are left out here.
HQ_READABLE = [r for r in ROUTES if r.params and "GET" in r.methods and "token_id" not in r.params]


@pytest.mark.parametrize("route", HQ_READABLE, ids=lambda r: f"{r.kind}:{r.template}")
def test_hq_reaches_every_record_the_matrix_names(world: World, route: Route) -> None:
    """The foreign ids are real: HQ (everything in scope) gets them, so the 404s above mean scope, not typos."""
    spot = world.spots["other_branch"]
    url = route.url(_values(route, world, spot))
    response = _client(world, scopes.HQ_ADMIN).get(url)
    assert response.status_code in (200, 405), f"HQ GET {url}: HTTP {response.status_code}"


def test_anonymous_gets_nothing(world: World) -> None:
    client = Client()
    for route in ROUTES:
        values = _values(route, world, world.spots["same_team"])
        response = client.get(route.url(values))
        assert response.status_code in (302, 401, 403, 404, 405), f"anonymous GET {route.template}"
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"]


def test_admin_is_for_hq_only(world: World) -> None:
    assert _client(world, scopes.BRANCH_HR).get("/admin/").status_code == 302
    assert _client(world, scopes.HQ_ADMIN).get("/admin/").status_code == 200
    assert _client(world, scopes.HQ_ADMIN).get("/admin/org/employee/").status_code == 200
