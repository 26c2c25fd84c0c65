"""Reads of reviews, ratings, periods and work logs."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kefu.core import scopes
from kefu.core.errors import NotFound
from kefu.core.scopes import Actor
from kefu.performance.models import Rating, Review, ReviewPeriod, WorkLog
from kefu.performance.services.common import LEADS, MANAGERS


def review_list(*, actor: Actor | None, period_id: int | None = None) -> QuerySet[Review]:
    qs = scopes.restrict(actor, Review.objects.all(), employee="employee")
    if period_id is not None:
        qs = qs.filter(period_id=period_id)
    return qs.select_related("period", "employee__unit", "template").order_by("-period__start", "employee__employee_no")


def review_get(*, actor: Actor | None, review_id: int) -> Review:
    review = review_list(actor=actor).filter(id=review_id).first()
    if review is None:
        raise NotFound("找不到该考核", extra={"review_id": review_id})
    return review


def rating_list(*, actor: Actor | None) -> QuerySet[Rating]:
    """Ratings on reviews the actor may see, plus the actor's own rating tasks (a peer rates a colleague)."""
    visible = scopes.restrict(actor, Rating.objects.all(), employee="review__employee").values("id")
    own = Rating.objects.filter(rater_id=getattr(actor, "pk", None)).values("id")
    return (
        Rating.objects.filter(Q(id__in=visible) | Q(id__in=own))
        .select_related("review__period", "review__employee", "review__template", "rater")
        .order_by("-review__period__start", "review_id", "rater_kind")
    )


def rating_get(*, actor: Actor | None, rating_id: int) -> Rating:
    rating = rating_list(actor=actor).filter(id=rating_id).first()
    if rating is None:
        raise NotFound("找不到该评分任务", extra={"rating_id": rating_id})
    return rating


def my_rating_tasks(*, actor: Actor | None) -> QuerySet[Rating]:
    return (
        Rating.objects.filter(rater_id=getattr(actor, "pk", None), submitted_at__isnull=True)
        .exclude(review__period__status="locked")
        .select_related("review__employee", "review__period")
    )


def review_period_list(*, actor: Actor | None) -> QuerySet[ReviewPeriod]:
    return scopes.restrict(actor, ReviewPeriod.objects.all(), unit="unit", roles=MANAGERS).select_related("unit")


def review_period_get(*, actor: Actor | None, period_id: int) -> ReviewPeriod:
    period = review_period_list(actor=actor).filter(id=period_id).first()
    if period is None:
        raise NotFound("找不到该考核期", extra={"period_id": period_id})
    return period


def work_log_list(*, actor: Actor | None) -> QuerySet[WorkLog]:
    # The author, and whoever rates work logs (lead, branch HR, HQ) — not every role of the branch.
    qs = scopes.restrict(actor, WorkLog.objects.all(), employee="employee", roles=LEADS)
    own = scopes.principal(actor).employee_id
    if own is not None:
        qs = WorkLog.objects.filter(Q(employee_id=own) | Q(pk__in=qs.values("pk")))
    return qs.select_related("employee", "period").order_by("-submitted_at")
