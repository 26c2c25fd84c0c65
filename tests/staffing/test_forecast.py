"""Volume forecasts: profile, trend, holidays, planned events, and the accuracy measures."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kefu.staffing import forecast
from kefu.staffing.forecast import IntervalVolume, PlannedEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2024, 9, 2, tzinfo=SHANGHAI)
WEEKDAY_FACTORS = (1.0, 1.0, 1.0, 1.0, 1.1, 1.3, 1.2)


def shape(slot: int) -> float:
    """Quiet night, a late-morning and an evening peak."""
    return 0.05 + math.exp(-(((slot - 21) / 5) ** 2)) + 0.8 * math.exp(-(((slot - 41) / 3) ** 2))


SHAPE_TOTAL = sum(shape(slot) for slot in range(48))


def history(
    *,
    days: int,
    daily_level: float = 1000.0,
    growth_per_day: float = 0.0,
    queue: str = "售前",
    start: datetime = MONDAY,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for day_number in range(days):
        day = start + timedelta(days=day_number)
        total = (daily_level + growth_per_day * day_number) * WEEKDAY_FACTORS[day.weekday()]
        for slot in range(48):
            rows.append(
                {
                    "interval_start": day + timedelta(minutes=30 * slot),
                    "queue": queue,
                    "contacts": total * shape(slot) / SHAPE_TOTAL,
                    "aht": 200.0 + slot,
                }
            )
    return rows


def daily_totals(forecasts: list[forecast.IntervalForecast]) -> dict[date, float]:
    totals: dict[date, float] = defaultdict(float)
    for row in forecasts:
        totals[row.interval_start.date()] += row.contacts
    return dict(totals)


def test_weekday_and_time_of_day_profile_is_reproduced() -> None:
    result = forecast.forecast_volumes(
        history=history(days=14), start=MONDAY + timedelta(days=14), end=MONDAY + timedelta(days=21)
    )

    assert len(result) == 7 * 48
    saturday_evening = next(
        row for row in result if row.interval_start == datetime(2024, 9, 21, 20, 30, tzinfo=SHANGHAI)
    )
    assert saturday_evening.contacts == pytest.approx(1000 * 1.3 * shape(41) / SHAPE_TOTAL, rel=1e-9)
    assert saturday_evening.aht_seconds == pytest.approx(241.0)
    assert saturday_evening.queue == "售前"
    totals = daily_totals(result)
    assert totals[date(2024, 9, 16)] == pytest.approx(1000.0, rel=1e-9)
    assert totals[date(2024, 9, 21)] == pytest.approx(1300.0, rel=1e-9)


def test_linear_trend_is_extrapolated_when_history_spans_two_weeks() -> None:
    result = forecast.forecast_volumes(
        history=history(days=56, growth_per_day=10.0),
        start=MONDAY + timedelta(days=56),
        end=MONDAY + timedelta(days=63),
    )

    totals = daily_totals(result)
    for offset in range(7):
        day = (MONDAY + timedelta(days=56 + offset)).date()
        assert totals[day] == pytest.approx((1000 + 10 * (56 + offset)) * WEEKDAY_FACTORS[day.weekday()], rel=1e-6)


def test_one_week_of_history_gives_a_flat_level() -> None:
    # A single week cannot tell a trend from the weekday pattern, so none is extrapolated.
    models = forecast.fit_volume_models(history=history(days=7, growth_per_day=50.0))

    assert models["售前"].slope == 0.0


def test_holidays_are_left_out_of_the_fit_and_forecast_from_past_holidays() -> None:
    rows = history(days=28)
    national_day = date(2024, 9, 17)  # a Tuesday in the history, three times busier than usual
    for row in rows:
        start = row["interval_start"]
        assert isinstance(start, datetime)
        if start.date() == national_day:
            row["contacts"] *= 3
    coming_holiday = date(2024, 10, 1)  # a Tuesday

    result = forecast.forecast_volumes(
        history=rows,
        start=datetime(2024, 9, 30, tzinfo=SHANGHAI),
        end=datetime(2024, 10, 3, tzinfo=SHANGHAI),
        holidays=[national_day, coming_holiday],
    )

    totals = daily_totals(result)
    assert totals[date(2024, 9, 30)] == pytest.approx(1000.0, rel=1e-6)  # the holiday did not inflate Monday
    assert totals[coming_holiday] == pytest.approx(3000.0, rel=1e-6)
    assert all(row.holiday == (row.interval_start.date() == coming_holiday) for row in result)


def test_a_holiday_with_no_past_holiday_is_forecast_as_its_weekday() -> None:
    result = forecast.forecast_volumes(
        history=history(days=14),
        start=datetime(2024, 10, 1, tzinfo=SHANGHAI),
        end=datetime(2024, 10, 2, tzinfo=SHANGHAI),
        holidays=[date(2024, 10, 1)],
    )

    assert sum(row.contacts for row in result) == pytest.approx(1000.0, rel=1e-6)
    assert all(row.holiday for row in result)


def test_planned_events_multiply_their_days_and_do_not_inflate_the_baseline() -> None:
    rows = history(days=28, queue="售后") + history(days=28, queue="售前")
    last_promotion = PlannedEvent(
        name="中秋大促", starts_on=date(2024, 9, 14), ends_on=date(2024, 9, 15), multiplier=4.0
    )
    for row in rows:
        start = row["interval_start"]
        assert isinstance(start, datetime)
        if last_promotion.covers(day=start.date(), queue=str(row["queue"])):
            row["contacts"] *= 4
    double_eleven = PlannedEvent(
        name="双11",
        starts_on=date(2024, 11, 11),
        ends_on=date(2024, 11, 11),
        multiplier=5.0,
        queues=frozenset({"售前"}),
    )

    result = forecast.forecast_volumes(
        history=rows,
        start=datetime(2024, 11, 10, tzinfo=SHANGHAI),
        end=datetime(2024, 11, 12, tzinfo=SHANGHAI),
        events=[last_promotion, double_eleven],
    )

    presale = daily_totals([row for row in result if row.queue == "售前"])
    aftersale = daily_totals([row for row in result if row.queue == "售后"])
    assert presale[date(2024, 11, 10)] == pytest.approx(1200.0, rel=1e-6)  # a Sunday, untouched by the old peak
    assert presale[date(2024, 11, 11)] == pytest.approx(5000.0, rel=1e-6)  # Monday × 5
    assert aftersale[date(2024, 11, 11)] == pytest.approx(1000.0, rel=1e-6)  # the event is for presale only
    assert {row.events for row in result if row.interval_start.date() == date(2024, 11, 11)} == {("双11",), ()}


def test_finer_history_is_summed_into_the_planning_interval() -> None:
    rows = [
        IntervalVolume(
            interval_start=MONDAY + timedelta(days=day, minutes=15 * quarter),
            queue="q",
            contacts=1.0,
            aht_seconds=100.0,
        )
        for day in range(7)
        for quarter in range(96)
    ]

    result = forecast.forecast_volumes(history=rows, start=MONDAY + timedelta(days=7), end=MONDAY + timedelta(days=8))

    assert len(result) == 48
    assert all(row.contacts == pytest.approx(2.0) for row in result)


def test_weekday_is_read_on_the_shanghai_clock() -> None:
    # 23:30 on a Sunday in Shanghai is 15:30 on Sunday UTC; 00:30 Monday in Shanghai is still Sunday in UTC.
    rows = history(days=14)
    utc_rows = [{**row, "interval_start": row["interval_start"].astimezone(UTC)} for row in rows]

    from_utc = forecast.forecast_volumes(
        history=utc_rows, start=MONDAY + timedelta(days=14), end=MONDAY + timedelta(days=15)
    )
    from_local = forecast.forecast_volumes(
        history=rows, start=MONDAY + timedelta(days=14), end=MONDAY + timedelta(days=15)
    )

    assert [row.contacts for row in from_utc] == pytest.approx([row.contacts for row in from_local])


def test_forecast_start_is_aligned_to_the_interval_grid() -> None:
    result = forecast.forecast_volumes(
        history=history(days=7),
        start=MONDAY + timedelta(days=7, hours=9, minutes=47),
        end=MONDAY + timedelta(days=7, hours=11),
    )

    assert [row.interval_start.strftime("%H:%M") for row in result] == ["09:30", "10:00", "10:30"]


def test_only_the_queues_asked_for_are_forecast() -> None:
    rows = history(days=7, queue="售前") + history(days=7, queue="售后")

    result = forecast.forecast_volumes(
        history=rows, start=MONDAY + timedelta(days=7), end=MONDAY + timedelta(days=8), queues=["售后"]
    )

    assert {row.queue for row in result} == {"售后"}
    with pytest.raises(ValueError, match="退货"):
        forecast.forecast_volumes(
            history=rows, start=MONDAY + timedelta(days=7), end=MONDAY + timedelta(days=8), queues=["退货"]
        )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"interval_start": datetime(2024, 9, 2, 9, 0), "queue": "q", "contacts": 5, "aht": 100}, "timezone-aware"),
        ({"interval_start": "2024-09-02 09:00", "queue": "q", "contacts": 5, "aht": 100}, "interval_start"),
        ({"interval_start": MONDAY, "queue": "q", "contacts": -1, "aht": 100}, "contacts"),
        ({"interval_start": MONDAY, "queue": "q", "contacts": math.nan, "aht": 100}, "contacts"),
        ({"interval_start": MONDAY, "queue": "q", "contacts": 5, "aht": 0}, "aht_seconds"),
        ({"interval_start": MONDAY, "queue": "q", "contacts": 5}, "missing aht_seconds"),
    ],
)
def test_bad_history_row_is_refused_naming_row_and_field(row: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message) as error:
        forecast.fit_volume_models(history=[*history(days=1), row])

    assert "row 48" in str(error.value)


def test_bad_forecast_range_and_interval_are_refused() -> None:
    rows = history(days=7)
    with pytest.raises(ValueError, match="end must be after start"):
        forecast.forecast_volumes(history=rows, start=MONDAY + timedelta(days=8), end=MONDAY + timedelta(days=7))
    with pytest.raises(ValueError, match="start must be a timezone-aware"):
        forecast.forecast_volumes(history=rows, start=datetime(2024, 9, 9), end=MONDAY + timedelta(days=9))
    with pytest.raises(ValueError, match="interval_minutes must divide a day"):
        forecast.fit_volume_models(history=rows, interval_minutes=7)
    with pytest.raises(ValueError, match="ends_on is before starts_on"):
        forecast.forecast_volumes(
            history=rows,
            start=MONDAY + timedelta(days=7),
            end=MONDAY + timedelta(days=8),
            events=[PlannedEvent(name="618", starts_on=date(2024, 6, 18), ends_on=date(2024, 6, 1), multiplier=2.0)],
        )


# --- accuracy -------------------------------------------------------------------------------------


def test_mape_leaves_out_zero_actuals() -> None:
    # |100-110|/100 = 0.10, |50-40|/50 = 0.20; the zero interval has no percentage error.
    assert forecast.mape([100, 50, 0], [110, 40, 7]) == pytest.approx(0.15)


def test_wape_weighs_errors_by_volume_and_counts_zero_intervals() -> None:
    # (10 + 10 + 7) / 150
    assert forecast.wape([100, 50, 0], [110, 40, 7]) == pytest.approx(27 / 150)


def test_perfect_forecast_scores_zero() -> None:
    assert forecast.mape([3, 4], [3, 4]) == 0.0
    assert forecast.wape([3, 0], [3, 0]) == 0.0
    assert forecast.wape([0, 0], [0, 0]) == 0.0


def test_accuracy_with_nothing_to_measure_against_is_refused() -> None:
    with pytest.raises(ValueError, match="MAPE is undefined"):
        forecast.mape([0, 0], [1, 2])
    with pytest.raises(ValueError, match="WAPE is unbounded"):
        forecast.wape([0, 0], [1, 0])
    with pytest.raises(ValueError, match="differ in length"):
        forecast.wape([1, 2], [1])
    with pytest.raises(ValueError, match="empty"):
        forecast.mape([], [])
    with pytest.raises(ValueError, match=r"actual\[1\]"):
        forecast.wape([1, -2], [1, 2])
    with pytest.raises(ValueError, match=r"forecast\[0\]"):
        forecast.wape([1, 2], [math.inf, 2])
