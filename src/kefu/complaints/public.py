"""The customer's public pages: the complaint web form (throttled per address) and the status page
opened by the unguessable link, where the customer also gives feedback on the solution."""

from __future__ import annotations

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kefu.complaints import selectors, services
from kefu.core.errors import ApplicationError, NotFound
from kefu.org.models import OrgUnit, UnitKind

PUBLIC_LIMIT = 5  # web-form submissions per address per hour


# --- public: the customer's form and status page ----------------------------------------------------


def _client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "?"))


@require_http_methods(["GET", "HEAD", "POST"])
def public_form(request: HttpRequest) -> HttpResponse:
    branches = OrgUnit.objects.filter(kind=UnitKind.BRANCH, active=True).order_by("path")
    error = ""
    if request.method == "POST":
        key = f"kefu:complaint-form:{_client_address(request)}"
        cache.add(key, 0, timeout=3600)
        if int(cache.get(key, 0)) >= PUBLIC_LIMIT:
            error = "提交太频繁，请稍后再试或拨打客服热线"
        else:
            p = request.POST
            try:
                complaint = services.complaint_submit_public(
                    branch_id=int(p["branch_id"]) if p.get("branch_id", "").isdigit() else 0,
                    name=p.get("name", ""),
                    phone=p.get("phone", ""),
                    content=p.get("content", ""),
                    customer_request=p.get("customer_request", ""),
                    amount_at_stake=p.get("amount_at_stake", "0") or "0",
                    order_number=p.get("order_number", ""),
                )
            except ApplicationError as exc:
                error = exc.message
            else:
                try:
                    cache.incr(key)
                except ValueError:
                    cache.set(key, 1, timeout=3600)
                return redirect("complaints:complaint_public_status", token=complaint.public_token)
    return render(
        request,
        "complaints/public_form.html",
        {"branches": branches, "error": error, "form": request.POST},
        status=400 if error else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def public_status(request: HttpRequest, token: str) -> HttpResponse:
    try:
        complaint = selectors.complaint_by_token(token=token)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    error = ""
    if request.method == "POST":
        satisfied = request.POST.get("satisfied") == "1"
        # Unsatisfied the first time: the handler tries again; after that a senior handler takes over.
        action = "satisfied" if satisfied else ("reopen" if complaint.reopen_count == 0 else "escalate")
        version = request.POST.get("version", "")
        try:
            services.complaint_act(
                actor=None,
                token=token,
                action=action,
                expected_version=int(version) if version.isdigit() else None,
                data={"feedback": request.POST.get("feedback", "")},
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            return redirect("complaints:complaint_public_status", token=token)
        complaint = selectors.complaint_by_token(token=token)
    return render(
        request,
        "complaints/public_status.html",
        {"c": complaint, "events": selectors.timeline(complaint=complaint, public_only=True), "error": error},
        status=400 if error else 200,
    )
