"""The access matrix: every page and API route × every role, aimed at records outside the role's scope.

Routes are discovered from the URL resolver and the OpenAPI document, not listed by hand. For each
role, a foreign record can be neither read (detail → 403/404, lists never show its markers) nor
changed (writes → 403/404 and no audit entry appended).
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook

from kefu.api import api
from kefu.core import exports, scopes
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


def _text(response: Any) -> str:
    """What a person would read in the response: a spreadsheet download's cells, or the page itself."""
    if response["Content-Type"] == exports.XLSX_TYPE:
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row)
    return response.content.decode()


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
    # plotly's JS is served once, by core, to every signed-in role.
    assert [t for t in templates if t.endswith("plotly.js")] == ["/plotly.js"]


# The world is the expensive part (every app builds its records at every spot), so each test builds
# it once per role and walks every route, collecting all failures into one report.
@pytest.mark.parametrize("role", ROLES)
def test_foreign_records_cannot_be_read(world: World, role: str) -> None:
    client = _client(world, role)
    failures = []
    for route in ROUTES:
        for spot_name in FOREIGN_SPOTS[role]:
            spot = world.spots[spot_name]
            url = route.url(_values(route, world, spot))
            # Lists may redirect (e.g. to the actor's own page): follow, then look for foreign markers.
            response = client.get(url, follow=not route.params)
            if route.params or response.status_code != 200:
                if response.status_code not in (403, 404, 405):
                    failures.append(f"GET {url} ({spot_name}, outside the scope): HTTP {response.status_code}")
            else:
                body = _text(response)
                leaked = [m for m in spot.markers if m in body]
                if leaked:
                    failures.append(f"GET {url} shows {spot_name} records outside the scope: {leaked}")
    assert not failures, f"{role} can read outside its scope:\n" + "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_foreign_records_cannot_be_changed(world: World, role: str) -> None:
    client = _client(world, role)
    failures: list[str] = []
    for route in ROUTES:
        for method in sorted(WRITE_METHODS & set(route.methods)):
            _check_write(world, role, client, route, method, failures)
    assert not failures, f"{role} can change outside its scope:\n" + "\n".join(failures)


def _check_write(world: World, role: str, client: Client, route: Route, method: str, failures: list[str]) -> None:
    key = (method, route.template)
    if key in SELF_ONLY:
        return
    if route.kind == "page" and key not in WRITE_BODIES:
        # A page that takes no POST must refuse it outright, never act on it.
        for spot_name in FOREIGN_SPOTS[role]:
            url = route.url(_values(route, world, world.spots[spot_name]))
            before = AuditEntry.objects.count()
            response = client.post(url, {})
            if response.status_code not in (403, 404, 405) or AuditEntry.objects.count() != before:
                failures.append(f"POST {url}: HTTP {response.status_code}")
        return
    assert key in WRITE_BODIES, f"{method} {route.template}: register a body aimed at a foreign record"
    for spot_name in FOREIGN_SPOTS[role]:
        spot = world.spots[spot_name]
        url = route.url(_values(route, world, spot))
        body = WRITE_BODIES[key](world, spot)
        before = AuditEntry.objects.count()
        response = _request(client, method, url, body, route.kind)
        if response.status_code not in (403, 404):
            failures.append(f"{method} {url} ({spot_name}): HTTP {response.status_code} {response.content[:200]!r}")
        elif AuditEntry.objects.count() != before:
            failures.append(f"{method} {url} ({spot_name}) was refused but wrote an audit entry")


# Tokens belong to their owner alone, HQ included, so they are left out here.
HQ_READABLE = [r for r in ROUTES if r.params and "GET" in r.methods and "token_id" not in r.params]


def test_hq_reaches_every_record_the_matrix_names(world: World) -> None:
    """The foreign ids are real: HQ (everything in scope) gets them, so the 404s above mean scope, not typos."""
    client = _client(world, scopes.HQ_ADMIN)
    spot = world.spots["other_branch"]
    failures = []
    for route in HQ_READABLE:
        url = route.url(_values(route, world, spot))
        response = client.get(url)
        if response.status_code not in (200, 405):
            failures.append(f"HQ GET {url}: HTTP {response.status_code}")
    assert not failures, "\n".join(failures)


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
