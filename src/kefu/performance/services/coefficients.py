"""Business types and their coefficients: create, recalibrate from measured work, approve or reject.

Coefficients are derived from standard times and a difficulty factor (see models.types). A
recalibration measures the average handle and after-call time of each type over the last N months,
proposes new coefficients as a new version, and changes nothing until it is approved. Approval is
HQ's, unless the policy ``performance.coefficients_delegated`` is true at the department (HQ unlocks
it for a branch), in which case the branch's HR may approve too.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Avg, Count, Max
from django.utils import timezone

from kefu.core import audit, scopes
from kefu.core.errors import ApplicationError, Forbidden, NotFound
from kefu.core.periods import Period
from kefu.core.scopes import Actor
from kefu.org.models import OrgUnit, UnitKind
from kefu.performance import keys
from kefu.performance.models import (
    BusinessType,
    CoefficientLine,
    CoefficientRate,
    CoefficientVersion,
    Indicator,
    Outcome,
    VersionStatus,
    WorkRecord,
)
from kefu.performance.models.types import derive_coefficient_milli
from kefu.performance.services import points
from kefu.performance.services.common import MANAGERS, is_system, require_roles
from kefu.policy import selectors as policy_selectors

BEGINNING = dt.date(2000, 1, 1)


def _department(*, actor: Actor | None, department_id: int) -> OrgUnit:
    unit = OrgUnit.objects.filter(id=department_id, kind=UnitKind.DEPARTMENT).first()
    if unit is None or not (is_system(actor) or scopes.covers(actor, unit_path=unit.path, roles=MANAGERS)):
        raise NotFound("找不到该部门", extra={"department_id": department_id})
    return unit


def _base_type(department: OrgUnit) -> BusinessType | None:
    return BusinessType.objects.filter(department=department, is_base=True).first()


@transaction.atomic
def business_type_create(
    *,
    actor: Actor | None,
    department_id: int,
    code: str,
    name: str,
    indicator: str = Indicator.CALLS,
    standard_handle_seconds: int,
    standard_acw_seconds: int = 0,
    difficulty: Decimal = Decimal("1.00"),
    is_base: bool = False,
) -> BusinessType:
    """Add a business type; its coefficient is derived against the department's base type."""
    department = _department(actor=actor, department_id=department_id)
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise ApplicationError("业务类型需要编码和名称", extra={"field": "code" if not code else "name"})
    if indicator not in Indicator.values:
        raise ApplicationError(f"未知的工作量指标 {indicator!r}", extra={"field": "indicator"})
    if standard_handle_seconds <= 0 or standard_acw_seconds < 0:
        raise ApplicationError(
            "标准处理时长必须为正数，后续处理时长不能为负", extra={"field": "standard_handle_seconds"}
        )
    if difficulty <= 0:
        raise ApplicationError("难度系数必须大于 0", extra={"field": "difficulty"})
    if BusinessType.objects.filter(department=department, code=code).exists():
        raise ApplicationError(f"{department.name}已有编码为 {code} 的业务类型", extra={"field": "code"})
    base = _base_type(department)
    if is_base:
        if base is not None:
            raise ApplicationError(f"{department.name}已有基准业务「{base.name}」", extra={"field": "is_base"})
        if difficulty != 1:
            raise ApplicationError("基准业务的难度系数必须为 1", extra={"field": "difficulty"})
        base_seconds = standard_handle_seconds + standard_acw_seconds
    elif base is None:
        raise ApplicationError(f"请先为{department.name}设立基准业务（系数 = 1 的业务）", extra={"field": "is_base"})
    else:
        base_seconds = base.standard_seconds
    milli = derive_coefficient_milli(
        handle_seconds=standard_handle_seconds,
        acw_seconds=standard_acw_seconds,
        base_seconds=base_seconds,
        difficulty=difficulty,
    )
    business_type = BusinessType.objects.create(
        department=department,
        code=code,
        name=name,
        indicator=indicator,
        is_base=is_base,
        standard_handle_seconds=standard_handle_seconds,
        standard_acw_seconds=standard_acw_seconds,
        difficulty=difficulty,
        coefficient_milli=milli,
    )
    CoefficientRate.objects.create(business_type=business_type, coefficient_milli=milli, effective_from=BEGINNING)
    audit.record(
        actor=actor,
        action="business_type.create",
        obj=business_type,
        after={"code": code, "coefficient": business_type.coefficient, "difficulty": difficulty},
    )
    return business_type


def _window(months: int, today: dt.date) -> tuple[dt.date, dt.date]:
    end = Period.containing(today).first_day()
    start_period = Period.containing(today)
    for _ in range(months):
        start_period = start_period.previous()
    return start_period.first_day(), end


def _round(value: Decimal | float | None) -> int:
    return int(Decimal(str(value or 0)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@transaction.atomic
def recalibration_propose(
    *,
    actor: Actor | None,
    department_id: int,
    months: int | None = None,
    effective_from: dt.date | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> CoefficientVersion:
    """Measure the last N full months of work records and propose new coefficients (nothing changes yet)."""
    department = _department(actor=actor, department_id=department_id)
    require_roles(actor, unit_path=department.path, roles=MANAGERS, what="测算积分系数")
    today = today or timezone.localdate()
    months = months or policy_selectors.effective(unit=department, key=keys.RECALIBRATION_MONTHS)
    if not 1 <= int(months) <= 24:
        raise ApplicationError("取样月数必须在 1–24 之间", extra={"field": "months"})
    min_samples = policy_selectors.effective(unit=department, key=keys.RECALIBRATION_MIN_SAMPLES)
    types = list(BusinessType.objects.filter(department=department, active=True))
    base = next((t for t in types if t.is_base), None)
    if base is None:
        raise ApplicationError(f"{department.name}没有基准业务，无法测算", extra={"field": "department_id"})
    start, end = _window(int(months), today)
    measured = {
        row["business_type_id"]: row
        for row in WorkRecord.objects.filter(
            business_type__department=department, work_date__gte=start, work_date__lt=end
        )
        .exclude(outcome=Outcome.INVALID)
        .values("business_type_id")
        .annotate(n=Count("id"), handle=Avg("handle_seconds"), acw=Avg("acw_seconds"))
    }

    def new_times(t: BusinessType) -> tuple[int, int, int]:
        row = measured.get(t.id)
        if row is None or row["n"] < min_samples:
            return (row["n"] if row else 0), t.standard_handle_seconds, t.standard_acw_seconds
        return row["n"], max(_round(row["handle"]), 1), _round(row["acw"])

    _, base_handle, base_acw = new_times(base)
    last = CoefficientVersion.objects.filter(department=department).aggregate(m=Max("number"))["m"] or 0
    version = CoefficientVersion.objects.create(
        department=department,
        number=last + 1,
        months=int(months),
        window_start=start,
        window_end=end,
        effective_from=effective_from or Period.containing(today).next().first_day(),
        proposed_by=scopes.signed_in(actor),
        note=note.strip()[:200],
    )
    lines = []
    for t in types:
        samples, handle, acw = new_times(t)
        lines.append(
            CoefficientLine(
                version=version,
                business_type=t,
                samples=samples,
                old_handle_seconds=t.standard_handle_seconds,
                old_acw_seconds=t.standard_acw_seconds,
                new_handle_seconds=handle,
                new_acw_seconds=acw,
                difficulty=t.difficulty,
                old_milli=t.coefficient_milli,
                new_milli=derive_coefficient_milli(
                    handle_seconds=handle, acw_seconds=acw, base_seconds=base_handle + base_acw, difficulty=t.difficulty
                ),
            )
        )
    CoefficientLine.objects.bulk_create(lines)
    audit.record(
        actor=actor,
        action="coefficient_version.propose",
        obj=version,
        after={"window": [start, end], "lines": {ln.business_type.code: [ln.old_milli, ln.new_milli] for ln in lines}},
        note=note,
    )
    return version


def can_approve(actor: Actor | None, department: OrgUnit) -> bool:
    """HQ always; a branch's HR only where the policy delegates coefficients to the branch."""
    if is_system(actor) or scopes.has_any_role(actor, [scopes.HQ_ADMIN]):
        return True
    delegated = policy_selectors.effective(unit=department, key=keys.COEFFICIENTS_DELEGATED)
    return bool(delegated) and scopes.covers(actor, unit_path=department.path, roles=[scopes.BRANCH_HR])


def _version_for_decision(*, actor: Actor | None, version_id: int) -> CoefficientVersion:
    version = CoefficientVersion.objects.select_for_update().filter(id=version_id).first()
    if version is None or not (
        is_system(actor) or scopes.covers(actor, unit_path=version.department.path, roles=MANAGERS)
    ):
        raise NotFound("找不到该系数版本", extra={"version_id": version_id})
    if not can_approve(actor, version.department):
        raise Forbidden("积分系数由集团锁定：只有集团管理员可以审批（或由集团策略下放给分公司）")
    if version.status != VersionStatus.PROPOSED:
        raise ApplicationError(f"该版本已{version.get_status_display()}，不能再审批", extra={"status": version.status})
    return version


@transaction.atomic
def recalibration_approve(
    *, actor: Actor | None, version_id: int, note: str = "", today: dt.date | None = None
) -> CoefficientVersion:
    """Apply the proposed coefficients from the version's effective date; points of days already past
    that date are recomputed at once (compensating ledger rows)."""
    version = _version_for_decision(actor=actor, version_id=version_id)
    today = today or timezone.localdate()
    lines = list(version.lines.select_related("business_type"))
    for line in lines:
        current = line.business_type.rates.order_by("-effective_from").first()
        if current is not None and current.effective_from >= version.effective_from:
            raise ApplicationError(
                f"生效日期 {version.effective_from} 必须晚于「{line.business_type.name}」现行系数的生效日期"
                f" {current.effective_from}",
                extra={"field": "effective_from"},
            )
    for line in lines:
        t = line.business_type
        CoefficientRate.objects.filter(business_type=t, effective_to__isnull=True).update(
            effective_to=version.effective_from
        )
        CoefficientRate.objects.create(
            business_type=t, coefficient_milli=line.new_milli, effective_from=version.effective_from, version=version
        )
        t.standard_handle_seconds, t.standard_acw_seconds = line.new_handle_seconds, line.new_acw_seconds
        t.coefficient_milli = line.new_milli
        t.save(update_fields=["standard_handle_seconds", "standard_acw_seconds", "coefficient_milli"])
    version.status = VersionStatus.APPROVED
    version.decided_by = scopes.signed_in(actor)
    version.decided_at = timezone.now()
    version.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        actor=actor,
        action="coefficient_version.approve",
        obj=version,
        before=VersionStatus.PROPOSED,
        after={"status": version.status, "effective_from": version.effective_from},
        note=note,
    )
    if version.effective_from <= today:
        points.recompute(start=version.effective_from, end=today, unit_path=version.department.path, actor=actor)
    return version


@transaction.atomic
def recalibration_reject(*, actor: Actor | None, version_id: int, note: str) -> CoefficientVersion:
    if not note.strip():
        raise ApplicationError("驳回需要说明理由", extra={"field": "note"})
    version = _version_for_decision(actor=actor, version_id=version_id)
    version.status = VersionStatus.REJECTED
    version.decided_by = scopes.signed_in(actor)
    version.decided_at = timezone.now()
    version.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        actor=actor,
        action="coefficient_version.reject",
        obj=version,
        before=VersionStatus.PROPOSED,
        after=version.status,
        note=note,
    )
    return version
