from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from kefu.org import selectors, services
from kefu.org.models import Employee, EmployeeTransfer, OrgUnit
from kefu.org.schemas import EmployeeCreateIn, EmployeeOut, EmployeeUpdateIn, OrgUnitOut, TransferIn, TransferOut

router = Router(tags=["org"])


class EmployeeFilter(Schema):
    unit_id: int | None = None
    search: str = ""
    status: str = ""


@router.get("/units", response=list[OrgUnitOut])
def unit_list(request: HttpRequest) -> list[OrgUnit]:
    return list(selectors.org_unit_list(actor=request.user))


@router.get("/units/{unit_id}", response=OrgUnitOut)
def unit_get(request: HttpRequest, unit_id: int) -> OrgUnit:
    return selectors.org_unit_get(actor=request.user, unit_id=unit_id)


def _out(request: HttpRequest, employee: Employee) -> dict[str, Any]:
    return {
        "id": employee.id,
        "employee_no": employee.employee_no,
        "name": employee.name,
        "unit_id": employee.unit_id,
        "unit_name": employee.unit.name,
        "position_code": employee.position.code,
        "position_name": str(employee.position.name),
        "hire_date": employee.hire_date,
        "tenure_months": employee.tenure_months(),
        "base_salary": employee.base_salary if selectors.can_see_pay(actor=request.user, employee=employee) else None,
        "status": employee.status,
        "version": employee.version,
    }


@router.get("/employees", response=list[EmployeeOut])
@paginate
def employee_list(request: HttpRequest, filters: Query[EmployeeFilter]) -> list[dict[str, Any]]:
    return [_out(request, e) for e in selectors.employee_list(actor=request.user, **filters.dict())]


@router.post("/employees", response={201: EmployeeOut})
def employee_create(request: HttpRequest, payload: EmployeeCreateIn) -> tuple[int, dict[str, Any]]:
    return 201, _out(request, services.employee_create(actor=request.user, **payload.dict()))


@router.get("/employees/{employee_id}", response=EmployeeOut)
def employee_get(request: HttpRequest, employee_id: int) -> dict[str, Any]:
    return _out(request, selectors.employee_get(actor=request.user, employee_id=employee_id))


@router.patch("/employees/{employee_id}", response=EmployeeOut)
def employee_update(request: HttpRequest, employee_id: int, payload: EmployeeUpdateIn) -> dict[str, Any]:
    return _out(request, services.employee_update(actor=request.user, employee_id=employee_id, **payload.dict()))


@router.get("/employees/{employee_id}/transfers", response=list[TransferOut])
def employee_transfers(request: HttpRequest, employee_id: int) -> list[EmployeeTransfer]:
    return list(selectors.employee_transfers(actor=request.user, employee_id=employee_id))


@router.post("/employees/{employee_id}/transfers", response={201: TransferOut})
def employee_transfer(request: HttpRequest, employee_id: int, payload: TransferIn) -> tuple[int, EmployeeTransfer]:
    return 201, services.employee_transfer(actor=request.user, employee_id=employee_id, **payload.dict())
