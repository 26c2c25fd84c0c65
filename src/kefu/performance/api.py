import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from kefu.org import selectors as org_selectors
from kefu.performance import schemas
from kefu.performance.selectors import contests as contest_selectors
from kefu.performance.selectors import kpi as kpi_selectors
from kefu.performance.selectors import points as point_selectors
from kefu.performance.selectors import reviews as review_selectors
from kefu.performance.services import coefficients, contests, kpi, points, records, reviews

router = Router(tags=["performance"])


class RangeFilter(Schema):
    start: dt.date | None = None
    end: dt.date | None = None


@router.get("/work-records", response=list[schemas.WorkRecordOut])
@paginate
def work_record_list(request: HttpRequest, filters: Query[RangeFilter]) -> Any:
    return point_selectors.work_record_list(actor=request.user, start=filters.start, end=filters.end)


@router.post("/units/{unit_id}/imports", response={201: schemas.ImportOut})
def import_file(request: HttpRequest, unit_id: int, payload: schemas.ImportIn) -> Any:
    """All-or-nothing import of one file for employees of a unit the importer manages."""
    org_selectors.org_unit_get(actor=request.user, unit_id=unit_id)
    if payload.kind == "quality":
        result = records.quality_scores_import(
            actor=request.user, filename=payload.filename, content=payload.content, fmt=payload.fmt
        )
    else:
        result = records.work_records_import(
            actor=request.user,
            source_system=payload.source_system,
            filename=payload.filename,
            content=payload.content,
            fmt=payload.fmt,
        )
    return 201, {**result.__dict__, "batch_id": result.batch.id if result.batch else None}


@router.post("/points/recompute", response=schemas.RecomputeOut)
def recompute(request: HttpRequest, payload: schemas.RecomputeIn) -> Any:
    return points.points_recompute(actor=request.user, start=payload.start, end=payload.end, unit_id=payload.unit_id)


@router.get("/points", response=list[schemas.PointsOut])
def points_board(request: HttpRequest, filters: Query[RangeFilter]) -> Any:
    today = timezone.localdate()
    rows = point_selectors.team_board(
        actor=request.user, start=filters.start or today.replace(day=1), end=filters.end or today
    )
    return [
        {
            "employee_id": r.employee.id,
            "employee_no": r.employee.employee_no,
            "name": r.employee.name,
            "points": r.points,
            "records": r.records,
            "sales": r.sales,
            "qa_average": r.qa_average,
            "rank": r.rank,
        }
        for r in rows
    ]


@router.get("/business-types", response=list[schemas.BusinessTypeOut])
def business_types(request: HttpRequest) -> Any:
    return list(point_selectors.business_type_list(actor=request.user))


@router.get("/coefficient-versions", response=list[schemas.VersionOut])
def versions(request: HttpRequest) -> Any:
    return list(point_selectors.coefficient_version_list(actor=request.user)[:50])


@router.post("/coefficient-versions", response={201: schemas.VersionOut})
def propose(request: HttpRequest, payload: schemas.ProposeIn) -> Any:
    return 201, coefficients.recalibration_propose(actor=request.user, **payload.dict())


@router.get("/coefficient-versions/{version_id}", response=schemas.VersionOut)
def version_get(request: HttpRequest, version_id: int) -> Any:
    return point_selectors.coefficient_version_get(actor=request.user, version_id=version_id)


@router.post("/coefficient-versions/{version_id}/approve", response=schemas.VersionOut)
def approve(request: HttpRequest, version_id: int, payload: schemas.DecideIn) -> Any:
    return coefficients.recalibration_approve(actor=request.user, version_id=version_id, note=payload.note)


@router.post("/coefficient-versions/{version_id}/reject", response=schemas.VersionOut)
def reject(request: HttpRequest, version_id: int, payload: schemas.DecideIn) -> Any:
    return coefficients.recalibration_reject(actor=request.user, version_id=version_id, note=payload.note)


@router.get("/kpi", response=list[schemas.KpiNodeOut])
def kpi_tree(request: HttpRequest) -> Any:
    return [
        {
            **{f: getattr(r.node, f) for f in schemas.KpiNodeOut.model_fields if hasattr(r.node, f)},
            "actual": r.actual,
            "attainment": r.attainment,
            "rolled_up": r.rolled_up,
        }
        for r in kpi_selectors.flatten(kpi_selectors.kpi_tree(actor=request.user))
    ]


@router.post("/kpi", response={201: schemas.KpiNodeOut})
def kpi_create(request: HttpRequest, payload: schemas.KpiNodeIn) -> Any:
    return 201, kpi.kpi_node_create(actor=request.user, **payload.dict())


@router.get("/kpi/{node_id}", response=schemas.KpiNodeOut)
def kpi_get(request: HttpRequest, node_id: int) -> Any:
    return kpi_selectors.kpi_node_get(actor=request.user, node_id=node_id)


@router.get("/reviews", response=list[schemas.ReviewOut])
@paginate
def review_list(request: HttpRequest) -> Any:
    return review_selectors.review_list(actor=request.user)


@router.get("/reviews/{review_id}", response=schemas.ReviewOut)
def review_get(request: HttpRequest, review_id: int) -> Any:
    return review_selectors.review_get(actor=request.user, review_id=review_id)


@router.post("/reviews/{review_id}/calibrate", response=schemas.ReviewOut)
def review_calibrate(request: HttpRequest, review_id: int, payload: schemas.CalibrateIn) -> Any:
    return reviews.review_calibrate(actor=request.user, review_id=review_id, score=payload.score, note=payload.note)


@router.post("/reviews/{review_id}/sign", response=schemas.ReviewOut)
def review_sign(request: HttpRequest, review_id: int, payload: schemas.SignIn) -> Any:
    return reviews.review_sign(actor=request.user, review_id=review_id, comment=payload.comment)


@router.post("/ratings/{rating_id}", response=schemas.RatingOut)
def rating_submit(request: HttpRequest, rating_id: int, payload: schemas.RatingIn) -> Any:
    return reviews.rating_submit(
        actor=request.user, rating_id=rating_id, scores=payload.scores, comment=payload.comment
    )


@router.get("/periods", response=list[schemas.PeriodOut])
def periods(request: HttpRequest) -> Any:
    return list(review_selectors.review_period_list(actor=request.user))


@router.post("/periods/{period_id}/lock", response=schemas.PeriodOut)
def period_lock(request: HttpRequest, period_id: int) -> Any:
    return reviews.review_period_lock(actor=request.user, period_id=period_id)


@router.get("/contests", response=list[schemas.ContestOut])
def contest_list(request: HttpRequest) -> Any:
    return list(contest_selectors.contest_list(actor=request.user))


@router.get("/contests/{contest_id}/leaderboard", response=list[schemas.StandingOut])
def leaderboard(request: HttpRequest, contest_id: int) -> Any:
    return contest_selectors.leaderboard(contest_selectors.contest_get(actor=request.user, contest_id=contest_id))


@router.post("/contests/{contest_id}/close", response=schemas.ContestOut)
def contest_close(request: HttpRequest, contest_id: int) -> Any:
    return contests.contest_close(actor=request.user, contest_id=contest_id)
