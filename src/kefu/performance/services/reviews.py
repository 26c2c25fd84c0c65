"""Reviews: open a period, create reviews with their raters, rate, calibrate, sign off, lock.

Workflow of a review (one place, as STYLE.md asks):
  评分中 -> 已校准   manager calibrates (branch HR / HQ), needs at least one submitted rating
  已校准 -> 员工已确认 the employee signs off
A period goes 评分中 -> 校准中 -> 已锁定; locking needs every review signed, and a locked period
refuses every change (ratings, calibration, sign-off, work logs) with a message naming the period.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.core import audit, scopes
from kefu.core.errors import ApplicationError, Forbidden, NotFound
from kefu.core.scopes import Actor
from kefu.org.models import Employee, OrgUnit, RoleAssignment
from kefu.performance import keys
from kefu.performance.models import (
    PeriodKind,
    PeriodStatus,
    RaterKind,
    Rating,
    Review,
    ReviewPeriod,
    ReviewStatus,
    ScoreTemplate,
    WorkLog,
    WorkLogKind,
)
from kefu.performance.services.common import LEADS, MANAGERS, is_senior, is_system, require_roles
from kefu.performance.services.weights import check_template_items, rater_weights
from kefu.policy import selectors as policy_selectors

ONE_PLACE = Decimal("0.1")


def ensure_open(period: ReviewPeriod) -> None:
    if period.status == PeriodStatus.LOCKED:
        when = timezone.localtime(period.locked_at).date() if period.locked_at else ""
        raise ApplicationError(
            f"考核期「{period.label}」已于 {when} 锁定，不能再修改",
            extra={"period_id": period.id, "status": period.status},
        )


def _period(*, actor: Actor | None, period_id: int, for_update: bool = False) -> ReviewPeriod:
    qs = ReviewPeriod.objects.select_related("unit")
    if for_update:
        qs = qs.select_for_update()
    period = qs.filter(id=period_id).first()
    if period is None or not (is_system(actor) or scopes.covers(actor, unit_path=period.unit.path, roles=MANAGERS)):
        raise NotFound("找不到该考核期", extra={"period_id": period_id})
    return period


@transaction.atomic
def review_period_open(
    *, actor: Actor | None, unit_id: int, kind: str, start: dt.date, end: dt.date, label: str
) -> ReviewPeriod:
    unit = OrgUnit.objects.filter(id=unit_id).first()
    if unit is None or not (is_system(actor) or scopes.covers(actor, unit_path=unit.path, roles=MANAGERS)):
        raise NotFound("找不到该单元", extra={"unit_id": unit_id})
    if kind not in PeriodKind.values:
        raise ApplicationError(f"未知的考核期类型 {kind!r}", extra={"field": "kind"})
    if end < start:
        raise ApplicationError("结束日期不能早于开始日期", extra={"field": "end"})
    if ReviewPeriod.objects.filter(unit=unit, kind=kind, start=start).exists():
        raise ApplicationError(
            f"{unit.name}已有从 {start} 开始的{PeriodKind(kind).label}考核期", extra={"field": "start"}
        )
    period = ReviewPeriod.objects.create(unit=unit, kind=kind, start=start, end=end, label=label.strip())
    audit.record(actor=actor, action="review_period.open", obj=period, after={"kind": kind, "start": start, "end": end})
    return period


def score_template_default(*, employee: Employee) -> ScoreTemplate:
    """The standard sheet for the employee's level: 业务技能 carries the policy's skill weight (seed 004)."""
    senior = is_senior(employee)
    key = keys.SKILL_WEIGHT_SENIOR if senior else keys.SKILL_WEIGHT_REGULAR
    skill = Decimal(policy_selectors.effective(unit=employee.unit, key=key))
    rest = Decimal(1) - skill
    if senior:
        items = [("业务技能", skill), ("管理与带教", (rest * Decimal("0.6")).quantize(Decimal("0.01")))]
    else:
        items = [("业务技能", skill), ("服务态度与规范", (rest * Decimal("0.6")).quantize(Decimal("0.01")))]
    items.append(("团队协作与成长", Decimal(1) - sum((w for _, w in items), Decimal(0))))
    name = f"{'高级岗位' if senior else '普通客服'}评分表（技能{(skill * 100).normalize():f}%）"
    template = ScoreTemplate.objects.filter(name=name).first()
    if template is None:
        payload = [{"name": n, "weight": str(w)} for n, w in items]
        check_template_items(payload)
        template = ScoreTemplate.objects.create(name=name, senior=senior, items=payload)
    return template


@transaction.atomic
def score_template_create(
    *, actor: Actor | None, name: str, senior: bool, items: list[dict[str, Any]]
) -> ScoreTemplate:
    if not (is_system(actor) or scopes.has_any_role(actor, MANAGERS)):
        raise Forbidden("只有人事可以建立评分表")
    check_template_items(items)
    template = ScoreTemplate.objects.create(
        name=name.strip(), senior=senior, items=[{"name": i["name"], "weight": str(i["weight"])} for i in items]
    )
    audit.record(actor=actor, action="score_template.create", obj=template, after=template.items)
    return template


def _users_with_role(role: str, unit_path: str) -> list[Any]:
    """Users holding `role` on the unit or one of its ancestors (nearest first)."""
    ids = [int(p) for p in unit_path.strip("/").split("/") if p]
    rows = RoleAssignment.objects.filter(role=role, unit_id__in=ids).select_related("user", "unit")
    return [r.user for r in sorted(rows, key=lambda r: -r.unit.depth)]


@transaction.atomic
def review_create(
    *,
    actor: Actor | None,
    period_id: int,
    employee_id: int,
    template_id: int | None = None,
    peer_ids: list[int] | None = None,
) -> Review:
    """A review for one employee with its raters: the team lead, a QA inspector, chosen peers and self."""
    period = _period(actor=actor, period_id=period_id, for_update=True)
    ensure_open(period)
    employee = Employee.objects.select_related("unit", "position", "user").filter(id=employee_id).first()
    if employee is None or not employee.unit.path.startswith(period.unit.path):
        raise NotFound("找不到该员工（或不在此考核期的单元内）", extra={"employee_id": employee_id})
    if Review.objects.filter(period=period, employee=employee).exists():
        raise ApplicationError(f"{employee.name}在「{period.label}」已有考核", extra={"field": "employee_id"})
    template = (
        ScoreTemplate.objects.filter(id=template_id).first()
        if template_id
        else score_template_default(employee=employee)
    )
    if template is None:
        raise NotFound("找不到该评分表", extra={"template_id": template_id})
    review = Review.objects.create(period=period, employee=employee, template=template)
    raters: list[tuple[str, Any]] = []
    leads = [u for u in _users_with_role(scopes.TEAM_LEAD, employee.unit.path) if u != employee.user]
    if leads:
        raters.append((RaterKind.LEAD, leads[0]))
    qa = [u for u in _users_with_role(scopes.QA, employee.unit.path) if u != employee.user]
    if qa:
        raters.append((RaterKind.QA, qa[0]))
    for peer in Employee.objects.filter(id__in=peer_ids or [], user__isnull=False).select_related("user"):
        if peer.id != employee.id and peer.unit.path.startswith(period.unit.path):
            raters.append((RaterKind.PEER, peer.user))
    if employee.user is not None:
        raters.append((RaterKind.SELF, employee.user))
    seen: set[int] = set()
    for kind, user in raters:
        if user.pk not in seen:
            seen.add(user.pk)
            Rating.objects.create(review=review, rater_kind=kind, rater=user)
    audit.record(actor=actor, action="review.create", obj=review, after={"raters": [k for k, _ in raters]})
    return review


def _rating_for_rater(*, actor: Actor | None, rating_id: int) -> Rating:
    rating = (
        Rating.objects.select_for_update()
        .select_related("review__period", "review__employee__unit")
        .filter(id=rating_id)
        .first()
    )
    if rating is None or (not is_system(actor) and rating.rater_id != getattr(actor, "pk", None)):
        raise NotFound("找不到该评分任务", extra={"rating_id": rating_id})
    return rating


def _recompute_review(review: Review) -> None:
    weights = rater_weights(review.employee.unit)
    by_kind: dict[str, list[Decimal]] = {}
    for rating in review.ratings.filter(submitted_at__isnull=False):
        by_kind.setdefault(rating.rater_kind, []).append(Decimal(rating.total or 0))
    present = {k: weights.get(k, Decimal(0)) for k in by_kind}
    total_weight = sum(present.values(), Decimal(0))
    if not by_kind or total_weight == 0:
        review.weighted_score = None
    else:
        # Raters who have not rated yet drop out and the others' weights are scaled up to 100%.
        score = sum((present[k] * sum(v) / len(v) for k, v in by_kind.items()), Decimal(0)) / total_weight
        review.weighted_score = score.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)
    review.save(update_fields=["weighted_score"])


@transaction.atomic
def rating_submit(*, actor: Actor | None, rating_id: int, scores: dict[str, Any], comment: str = "") -> Rating:
    """A rater fills in the score sheet (each item 0–100); the review's weighted score follows."""
    rating = _rating_for_rater(actor=actor, rating_id=rating_id)
    review = rating.review
    ensure_open(review.period)
    if review.status != ReviewStatus.RATING:
        raise ApplicationError(f"考核已{review.get_status_display()}，不能再评分", extra={"status": review.status})
    items = review.template.items
    check_template_items(items)
    clean: dict[str, str] = {}
    for item in items:
        raw = scores.get(item["name"])
        try:
            value = Decimal(str(raw))
        except Exception:
            raise ApplicationError(f"「{item['name']}」需要 0–100 的分数", extra={"field": item["name"]}) from None
        if not Decimal(0) <= value <= Decimal(100):
            raise ApplicationError(f"「{item['name']}」的分数 {value} 不在 0–100 之间", extra={"field": item["name"]})
        clean[item["name"]] = str(value)
    total = sum((Decimal(str(i["weight"])) * Decimal(clean[i["name"]]) for i in items), Decimal(0))
    before = rating.total
    rating.scores = clean
    rating.total = total.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)
    rating.comment = comment.strip()[:500]
    rating.submitted_at = timezone.now()
    rating.save(update_fields=["scores", "total", "comment", "submitted_at"])
    _recompute_review(review)
    audit.record(actor=actor, action="rating.submit", obj=rating, before=before, after={"total": rating.total})
    return rating


def _review(*, actor: Actor | None, review_id: int, roles: tuple[str, ...]) -> Review:
    review = (
        Review.objects.select_for_update()
        .select_related("period__unit", "employee__unit", "template")
        .filter(id=review_id)
        .first()
    )
    if review is None:
        raise NotFound("找不到该考核", extra={"review_id": review_id})
    if not is_system(actor) and not scopes.covers(
        actor, unit_path=review.employee.unit.path, roles=(*roles, scopes.AGENT), employee_id=review.employee_id
    ):
        raise NotFound("找不到该考核", extra={"review_id": review_id})
    return review


@transaction.atomic
def review_calibrate(*, actor: Actor | None, review_id: int, score: Decimal, note: str) -> Review:
    """# 评分中 -> 已校准: the manager sets the final score after comparing the team (calibration view)."""
    review = _review(actor=actor, review_id=review_id, roles=MANAGERS)
    require_roles(actor, unit_path=review.employee.unit.path, roles=MANAGERS, what="校准考核分")
    ensure_open(review.period)
    if review.status == ReviewStatus.SIGNED:
        raise ApplicationError("员工已确认，不能再校准", extra={"status": review.status})
    if review.weighted_score is None:
        raise ApplicationError("还没有任何评分人提交评分，无法校准", extra={"field": "score"})
    if not Decimal(0) <= score <= Decimal(100):
        raise ApplicationError("校准分必须在 0–100 之间", extra={"field": "score"})
    if score != review.weighted_score and not note.strip():
        raise ApplicationError("调整分数需要写明校准说明", extra={"field": "note"})
    before = {"status": review.status, "score": review.final_score}
    review.calibrated_score = score.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)
    review.calibration_note = note.strip()[:200]
    review.status = ReviewStatus.CALIBRATED
    review.save(update_fields=["calibrated_score", "calibration_note", "status"])
    audit.record(actor=actor, action="review.calibrate", obj=review, before=before, after={"score": score}, note=note)
    return review


@transaction.atomic
def review_sign(*, actor: Actor | None, review_id: int, comment: str = "") -> Review:
    """# 已校准 -> 员工已确认: only the employee signs off their own review."""
    review = _review(actor=actor, review_id=review_id, roles=())
    if scopes.principal(actor).employee_id != review.employee_id:
        raise Forbidden("只有员工本人可以确认自己的考核")
    ensure_open(review.period)
    if review.status != ReviewStatus.CALIBRATED:
        raise ApplicationError("考核还没有校准，暂不能确认", extra={"status": review.status})
    review.status = ReviewStatus.SIGNED
    review.employee_comment = comment.strip()[:500]
    review.signed_at = timezone.now()
    review.save(update_fields=["status", "employee_comment", "signed_at"])
    audit.record(actor=actor, action="review.sign", obj=review, before=ReviewStatus.CALIBRATED, after=review.status)
    return review


@transaction.atomic
def review_period_lock(*, actor: Actor | None, period_id: int) -> ReviewPeriod:
    """# 评分中/校准中 -> 已锁定: every review must be signed first."""
    period = _period(actor=actor, period_id=period_id, for_update=True)
    require_roles(actor, unit_path=period.unit.path, roles=MANAGERS, what="锁定考核期")
    ensure_open(period)
    pending = period.reviews.exclude(status=ReviewStatus.SIGNED).count()
    if pending:
        raise ApplicationError(f"还有 {pending} 份考核未经员工确认，不能锁定", extra={"pending": pending})
    before = period.status
    period.status = PeriodStatus.LOCKED
    period.locked_at = timezone.now()
    period.locked_by = scopes.signed_in(actor)
    period.save(update_fields=["status", "locked_at", "locked_by"])
    audit.record(actor=actor, action="review_period.lock", obj=period, before=before, after=period.status)
    return period


@transaction.atomic
def work_log_submit(*, actor: Actor | None, period_id: int, kind: str, content: str) -> WorkLog:
    """An employee in a role that cannot be counted hands in a work log or plan for the period."""
    employee_id = scopes.principal(actor).employee_id
    period = ReviewPeriod.objects.select_related("unit").filter(id=period_id).first()
    employee = Employee.objects.select_related("unit").filter(id=employee_id).first() if employee_id else None
    if period is None or employee is None or not employee.unit.path.startswith(period.unit.path):
        raise NotFound("找不到该考核期", extra={"period_id": period_id})
    ensure_open(period)
    if kind not in WorkLogKind.values:
        raise ApplicationError(f"未知的类型 {kind!r}", extra={"field": "kind"})
    if not content.strip():
        raise ApplicationError("内容不能为空", extra={"field": "content"})
    log = WorkLog.objects.create(employee=employee, period=period, kind=kind, content=content.strip())
    audit.record(actor=actor, action="work_log.submit", obj=log, after={"kind": kind})
    return log


@transaction.atomic
def work_log_rate(*, actor: Actor | None, work_log_id: int, rating: int) -> WorkLog:
    log = WorkLog.objects.select_for_update().select_related("employee__unit", "period").filter(id=work_log_id).first()
    if log is None or not scopes.covers(actor, unit_path=log.employee.unit.path, roles=LEADS):
        raise NotFound("找不到该工作日志", extra={"work_log_id": work_log_id})
    if scopes.principal(actor).employee_id == log.employee_id:
        raise Forbidden("不能给自己的工作日志评分")
    ensure_open(log.period)
    if not 0 <= rating <= 100:
        raise ApplicationError("评分必须在 0–100 之间", extra={"field": "rating"})
    before = log.rating
    log.rating, log.rated_by, log.rated_at = rating, scopes.signed_in(actor), timezone.now()
    log.save(update_fields=["rating", "rated_by", "rated_at"])
    audit.record(actor=actor, action="work_log.rate", obj=log, before=before, after=rating)
    return log
