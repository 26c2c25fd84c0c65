"""Contests: time-boxed, one rule, a live leaderboard; closing records the winners for honours and pay."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from kefu.core import audit, scopes
from kefu.core.errors import ApplicationError, NotFound
from kefu.core.scopes import Actor
from kefu.org.models import OrgUnit
from kefu.performance.models import Contest, ContestRule, ContestStatus, ContestWinner
from kefu.performance.services.common import LEADS, is_system


@transaction.atomic
def contest_create(
    *,
    actor: Actor | None,
    unit_id: int,
    name: str,
    rule: str,
    starts_on: dt.date,
    ends_on: dt.date,
    winners_count: int = 3,
    prize: str = "",
) -> Contest:
    unit = OrgUnit.objects.filter(id=unit_id).first()
    if unit is None or not (is_system(actor) or scopes.covers(actor, unit_path=unit.path, roles=LEADS)):
        raise NotFound("找不到该单元", extra={"unit_id": unit_id})
    if rule not in ContestRule.values:
        raise ApplicationError(f"未知的竞赛规则 {rule!r}", extra={"field": "rule"})
    if ends_on < starts_on:
        raise ApplicationError("竞赛结束日期不能早于开始日期", extra={"field": "ends_on"})
    if not 1 <= winners_count <= 50:
        raise ApplicationError("获奖人数必须在 1–50 之间", extra={"field": "winners_count"})
    if not name.strip():
        raise ApplicationError("竞赛需要名称", extra={"field": "name"})
    contest = Contest.objects.create(
        unit=unit,
        name=name.strip(),
        rule=rule,
        starts_on=starts_on,
        ends_on=ends_on,
        winners_count=winners_count,
        prize=prize.strip(),
        created_by=scopes.signed_in(actor),
    )
    audit.record(
        actor=actor, action="contest.create", obj=contest, after={"rule": rule, "from": starts_on, "to": ends_on}
    )
    return contest


@transaction.atomic
def contest_close(*, actor: Actor | None, contest_id: int, today: dt.date | None = None) -> Contest:
    """After its last day, record the leaderboard's top places as winners; the contest is closed."""
    from kefu.performance.selectors import contests as contest_selectors

    contest = Contest.objects.select_for_update().select_related("unit").filter(id=contest_id).first()
    if contest is None or not (is_system(actor) or scopes.covers(actor, unit_path=contest.unit.path, roles=LEADS)):
        raise NotFound("找不到该竞赛", extra={"contest_id": contest_id})
    today = today or timezone.localdate()
    if contest.status == ContestStatus.CLOSED:
        raise ApplicationError("竞赛已结束，获奖名单已记录", extra={"status": contest.status})
    if today <= contest.ends_on:
        raise ApplicationError(f"竞赛到 {contest.ends_on} 才结束，之后才能评奖", extra={"field": "ends_on"})
    board = contest_selectors.leaderboard(contest)
    winners = [
        ContestWinner(contest=contest, rank=row.rank, employee_id=row.employee_id, value=row.value)
        for row in board[: contest.winners_count]
    ]
    ContestWinner.objects.bulk_create(winners)
    contest.status = ContestStatus.CLOSED
    contest.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="contest.close",
        obj=contest,
        before=ContestStatus.OPEN,
        after={"winners": [(w.rank, w.employee_id, w.value) for w in winners]},
    )
    return contest
