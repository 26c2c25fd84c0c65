from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kefu.core.views import page
from kefu.org import selectors


@page
def tree(request: HttpRequest) -> HttpResponse:
    units = list(selectors.org_unit_list(actor=request.user))
    return render(request, "org/tree.html", {"units": units})


@page
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = selectors.org_unit_get(actor=request.user, unit_id=unit_id)
    employees = selectors.employee_list(actor=request.user, unit_id=unit.id, search=request.GET.get("q", ""))
    page_obj = Paginator(employees, 50).get_page(request.GET.get("page"))
    children = selectors.org_unit_list(actor=request.user).filter(parent=unit)
    return render(
        request,
        "org/unit_detail.html",
        {"unit": unit, "children": children, "page_obj": page_obj, "q": request.GET.get("q", "")},
    )


@page
def employee_detail(request: HttpRequest, employee_id: int) -> HttpResponse:
    employee = selectors.employee_get(actor=request.user, employee_id=employee_id)
    transfers = selectors.employee_transfers(actor=request.user, employee_id=employee.id)
    roles = employee.user.role_assignments.select_related("unit") if employee.user else []
    return render(
        request,
        "org/employee_detail.html",
        {
            "employee": employee,
            "transfers": transfers,
            "roles": roles,
            "show_pay": selectors.can_see_pay(actor=request.user, employee=employee),
        },
    )


@page
def me(request: HttpRequest) -> HttpResponse:
    employee = selectors.own_employee(actor=request.user)
    if employee is None:
        messages.info(request, "此账号没有关联员工档案")
        return redirect("home")
    return employee_detail(request, employee_id=employee.id)
