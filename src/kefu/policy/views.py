from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kefu.core import scopes
from kefu.core.errors import ApplicationError, Forbidden, NotFound
from kefu.core.views import page
from kefu.org import selectors as org_selectors
from kefu.policy import catalogue, selectors, services
from kefu.policy.forms import PolicyValueForm
from kefu.policy.services import POLICY_EDITORS


def _require_editor(request: HttpRequest) -> None:
    if not scopes.has_any_role(request.user, POLICY_EDITORS):
        raise Forbidden("只有人事和集团管理员可以查看策略")


@page
def index(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    units = org_selectors.org_unit_list(actor=request.user).filter(kind__in=["group", "branch", "centre", "department"])
    return render(request, "policy/index.html", {"units": units})


@page
def unit_policies(request: HttpRequest, unit_id: int) -> HttpResponse:
    _require_editor(request)
    resolutions = selectors.policy_overview(actor=request.user, unit_id=unit_id)
    unit = resolutions[0].unit if resolutions else org_selectors.org_unit_get(actor=request.user, unit_id=unit_id)
    rows = [(r, PolicyValueForm.as_text(r.spec, r.value)) for r in resolutions]
    return render(request, "policy/unit.html", {"unit": unit, "rows": rows})


@page(methods=("GET", "HEAD", "POST"))
def key_detail(request: HttpRequest, unit_id: int, key: str) -> HttpResponse:
    _require_editor(request)
    unit = org_selectors.org_unit_get(actor=request.user, unit_id=unit_id)
    try:
        resolution = selectors.resolve(unit=unit, key=key)
    except ApplicationError as exc:
        raise NotFound(exc.message) from exc
    form = PolicyValueForm(
        request.POST or None,
        spec=resolution.spec,
        initial={"value": PolicyValueForm.as_text(resolution.spec, resolution.value)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_set(
                actor=request.user,
                key=key,
                unit_id=unit.id,
                value=form.cleaned_data["value"],
                locked=form.cleaned_data["locked"],
                note=form.cleaned_data["note"],
            )
        except (Forbidden, NotFound):
            raise
        except ApplicationError as exc:
            form.add_error("value", exc.message)
        else:
            messages.success(request, f"已保存：{resolution.spec.label}")
            return redirect("policy:key", unit_id=unit.id, key=key)
    history = selectors.policy_history(actor=request.user, key=key, unit_id=unit.id)
    return render(
        request,
        "policy/key.html",
        {
            "unit": unit,
            "resolution": resolution,
            "form": form,
            "history": history,
            "type_label": catalogue.ValueType.LABELS.get(resolution.spec.value_type, ""),
        },
    )


@page(methods=("POST",))
def key_clear(request: HttpRequest, unit_id: int, key: str) -> HttpResponse:
    _require_editor(request)
    try:
        services.policy_clear(actor=request.user, key=key, unit_id=unit_id, note=request.POST.get("note", ""))
    except (Forbidden, NotFound):
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已撤销本单元的设置，恢复上级的值")
    return redirect("policy:key", unit_id=unit_id, key=key)
