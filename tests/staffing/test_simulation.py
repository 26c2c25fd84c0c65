"""The queue simulation: repeatable, agrees with Erlang C / Erlang A, and answers KA customers first."""

from __future__ import annotations

import math
from typing import Any

import pytest

from kefu.staffing import erlang
from kefu.staffing.simulation import SimulationResult, simulate_queue


def busy_hour(**traffic: Any) -> SimulationResult:
    """12 agents, AHT 180 s, target 20 s: with 200 contacts an hour (10 Erlangs) waits are common."""
    return simulate_queue(agents=12, aht_seconds=180.0, answer_within_seconds=20.0, **traffic)


def test_same_seed_same_outcome_other_seed_other_outcome() -> None:
    def run(seed: int) -> object:
        return busy_hour(arrivals_per_hour={"ka": 20, "normal": 180}, patience_seconds=60, max_arrivals=3000, seed=seed)

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_every_offered_contact_is_answered_or_abandoned() -> None:
    result = busy_hour(
        arrivals_per_hour={"ka": 30, "vip": 50, "normal": 150},
        patience_seconds=45,
        max_arrivals=20_000,
        warmup_arrivals=500,
        seed=3,
    )

    assert result.overall.offered == 19_500
    for outcome in [*result.tiers.values(), result.overall]:
        assert outcome.offered == outcome.answered + outcome.abandoned
        assert outcome.answered_within <= outcome.answered
    assert sum(outcome.offered for outcome in result.tiers.values()) == result.overall.offered
    # Tier shares follow the arrival rates (30 : 50 : 150).
    assert result.tiers["ka"].offered / result.overall.offered == pytest.approx(30 / 230, abs=0.01)


def test_simulation_agrees_with_erlang_c_without_hang_ups() -> None:
    result = busy_hour(arrivals_per_hour={"normal": 200}, max_arrivals=80_000, warmup_arrivals=2_000, seed=11)

    expected_level = erlang.service_level(agents=12, load=10, aht_seconds=180, answer_within_seconds=20)
    expected_asa = erlang.asa_seconds(agents=12, load=10, aht_seconds=180)
    assert result.overall.abandoned == 0
    assert result.overall.service_level == pytest.approx(expected_level, abs=0.02)
    assert result.overall.asa_seconds == pytest.approx(expected_asa, rel=0.12)
    assert result.occupancy == pytest.approx(10 / 12, abs=0.02)


@pytest.mark.parametrize(("agents", "patience"), [(12, 60.0), (9, 30.0)])
def test_simulation_agrees_with_erlang_a(agents: int, patience: float) -> None:
    result = simulate_queue(
        agents=agents,
        arrivals_per_hour={"normal": 200},
        aht_seconds=180,
        answer_within_seconds=20,
        patience_seconds=patience,
        max_arrivals=80_000,
        warmup_arrivals=2_000,
        seed=5,
    )

    expected = erlang.erlang_a_measures(
        servers=agents, load=10, aht_seconds=180, patience_seconds=patience, answer_within_seconds=20
    )
    assert result.overall.service_level == pytest.approx(expected.service_level, abs=0.015)
    assert result.overall.abandon_rate == pytest.approx(expected.abandon_rate, abs=0.01)
    assert result.overall.asa_seconds == pytest.approx(expected.asa_seconds, rel=0.12)
    assert result.occupancy == pytest.approx(expected.occupancy, abs=0.02)


def test_key_accounts_are_answered_first_with_the_same_agents() -> None:
    result = busy_hour(
        arrivals_per_hour={"ka": 20, "vip": 40, "normal": 140},
        max_arrivals=40_000,
        seed=2,
    )

    ka, vip, normal = (result.tiers[tier] for tier in ("ka", "vip", "normal"))
    assert ka.service_level is not None and vip.service_level is not None and normal.service_level is not None
    assert ka.service_level > vip.service_level > normal.service_level
    assert ka.asa_seconds is not None and normal.asa_seconds is not None
    assert ka.asa_seconds < normal.asa_seconds / 3
    # Priority only moves waiting between tiers: handle times do not depend on the tier, so the number
    # of contacts in the queue follows the same path as first-come-first-served with the same random
    # draws, and the mean wait over everyone is the same (Kleinrock's conservation law).
    single_queue = busy_hour(arrivals_per_hour={"normal": 200}, max_arrivals=40_000, seed=2)
    assert result.overall.asa_seconds == pytest.approx(single_queue.overall.asa_seconds, rel=1e-9)
    assert result.overall.service_level != single_queue.overall.service_level


def test_impatient_normal_customers_hang_up_more_than_key_accounts() -> None:
    result = busy_hour(
        arrivals_per_hour={"ka": 30, "normal": 200},
        patience_seconds=40,
        max_arrivals=30_000,
        warmup_arrivals=1_000,
        seed=4,
    )

    ka, normal = result.tiers["ka"], result.tiers["normal"]
    assert ka.abandon_rate is not None and normal.abandon_rate is not None
    assert ka.abandon_rate < normal.abandon_rate - 0.02
    assert ka.service_level is not None and normal.service_level is not None
    assert ka.service_level > normal.service_level + 0.03


def test_given_handle_times_match_pollaczek_khinchine_for_one_agent() -> None:
    # M/D/1: every contact takes exactly 120 s; 24 an hour -> utilisation 0.8, mean wait ρ·S / (2(1 − ρ)).
    result = simulate_queue(
        agents=1,
        arrivals_per_hour={"normal": 24},
        service_times=[120.0],
        answer_within_seconds=60,
        max_arrivals=60_000,
        warmup_arrivals=1_000,
        seed=9,
    )

    assert result.overall.asa_seconds == pytest.approx(0.8 * 120 / (2 * 0.2), rel=0.1)
    assert result.occupancy == pytest.approx(0.8, abs=0.02)


def test_bounded_by_simulated_time() -> None:
    result = busy_hour(arrivals_per_hour={"normal": 3600}, max_seconds=600, max_arrivals=10**9, seed=1)

    # One arrival a second for ten minutes.
    assert 500 < result.overall.offered < 700
    assert result.simulated_seconds > 600  # the queue left at the horizon is still served out
    assert result.overall.answered == result.overall.offered


def test_quiet_tier_reports_no_figures_rather_than_zeros() -> None:
    result = busy_hour(arrivals_per_hour={"ka": 0, "normal": 100}, max_arrivals=500, seed=1)

    assert result.tiers["ka"].offered == 0
    assert result.tiers["ka"].service_level is None
    assert result.tiers["ka"].asa_seconds is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"agents": 0}, "agents"),
        ({"arrivals_per_hour": {"gold": 10}}, "unknown tiers"),
        ({"arrivals_per_hour": {"normal": -1}}, "arrivals_per_hour"),
        ({"arrivals_per_hour": {"normal": 0}}, "at least one tier"),
        ({"aht_seconds": None}, "exactly one"),
        ({"service_times": [100.0]}, "exactly one"),
        ({"aht_seconds": -5.0}, "aht_seconds"),
        ({"answer_within_seconds": 0}, "answer_within_seconds"),
        ({"patience_seconds": math.nan}, "patience_seconds"),
        ({"warmup_arrivals": 200, "max_arrivals": 100}, "warmup_arrivals"),
    ],
)
def test_bad_input_is_refused(changes: dict[str, object], message: str) -> None:
    inputs: dict[str, object] = {
        "agents": 5,
        "arrivals_per_hour": {"normal": 100},
        "aht_seconds": 180.0,
        "answer_within_seconds": 20.0,
        "max_arrivals": 100,
    }
    inputs.update(changes)

    with pytest.raises(ValueError, match=message):
        simulate_queue(**inputs)  # type: ignore[arg-type]
