"""`kefu staffing erlang`: one JSON object for scripts, a short table for people, exit 2 on bad input."""

from __future__ import annotations

import json

import pytest

from kefu.staffing.cli import erlang_main

EXAMPLE = [
    "--calls",
    "100",
    "--aht",
    "180",
    "--interval-minutes",
    "30",
    "--service-level",
    "0.8",
    "--answer-within",
    "20",
]


def test_json_output_is_exactly_one_object_with_the_staffing_figures(capsys: pytest.CaptureFixture[str]) -> None:
    code = erlang_main([*EXAMPLE, "--shrinkage", "0.3", "--max-occupancy", "0.85", "--json"])

    out, err = capsys.readouterr()
    assert code == 0
    assert err == ""
    assert len(out.strip().splitlines()) == 1
    figures = json.loads(out)
    assert list(figures) == ["agents", "scheduled", "service_level", "occupancy", "asa_seconds", "model"]
    assert figures["agents"] == 14
    assert figures["scheduled"] == 20
    assert figures["model"] == "erlang_c"
    assert figures["service_level"] == pytest.approx(0.8884, abs=1e-4)
    assert figures["occupancy"] == pytest.approx(10 / 14)


def test_patience_switches_to_erlang_a_and_reports_abandonment(capsys: pytest.CaptureFixture[str]) -> None:
    code = erlang_main([*EXAMPLE, "--patience", "60", "--json"])

    figures = json.loads(capsys.readouterr().out)
    assert code == 0
    assert figures["model"] == "erlang_a"
    assert 0 < figures["abandon_rate"] < 0.2
    assert figures["service_level"] >= 0.8
    assert set(figures) == {"agents", "scheduled", "service_level", "occupancy", "asa_seconds", "abandon_rate", "model"}


def test_chat_concurrency_needs_fewer_agents(capsys: pytest.CaptureFixture[str]) -> None:
    erlang_main([*EXAMPLE, "--json"])
    one_chat = json.loads(capsys.readouterr().out)
    erlang_main([*EXAMPLE, "--concurrency", "3", "--json"])
    three_chats = json.loads(capsys.readouterr().out)

    assert three_chats["agents"] < one_chat["agents"]


def test_without_json_prints_a_table_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    code = erlang_main([*EXAMPLE, "--shrinkage", "0.3"])

    out = capsys.readouterr().out
    assert code == 0
    assert "Erlang C" in out
    assert "agents on the phones        14" in out
    assert "scheduled (with shrinkage)  20" in out
    assert "88.8%" in out
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)


@pytest.mark.parametrize(
    ("flag", "value", "named"),
    [
        ("--calls", "0", "--calls"),
        ("--calls", "-100", "--calls"),
        ("--calls", "nan", "--calls"),
        ("--aht", "0", "--aht"),
        ("--aht", "inf", "--aht"),
        ("--interval-minutes", "0", "--interval-minutes"),
        ("--service-level", "80", "--service-level"),
        ("--service-level", "1.0", "--service-level"),
        ("--service-level", "0", "--service-level"),
        ("--answer-within", "-1", "--answer-within"),
        ("--shrinkage", "1", "--shrinkage"),
        ("--shrinkage", "-0.1", "--shrinkage"),
        ("--max-occupancy", "1.5", "--max-occupancy"),
        ("--max-occupancy", "0", "--max-occupancy"),
        ("--patience", "0", "--patience"),
        ("--concurrency", "0", "--concurrency"),
        ("--concurrency", "1.5", "--concurrency"),  # argparse: not a whole number
        ("--aht", "three minutes", "--aht"),  # argparse: not a number
    ],
)
def test_bad_input_exits_2_naming_the_flag(
    flag: str, value: str, named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*EXAMPLE, "--json"]
    if flag in argv:
        argv[argv.index(flag) + 1] = value
    else:
        argv += [flag, value]

    code = erlang_main(argv)

    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert named in err
    assert err.startswith("kefu staffing erlang: error:") or "usage: kefu staffing erlang" in err


def test_missing_required_flag_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = erlang_main(["--calls", "100", "--aht", "180", "--service-level", "0.8"])

    assert code == 2
    assert "--answer-within" in capsys.readouterr().err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code = erlang_main(["--help"])

    assert code == 0
    assert "usage: kefu staffing erlang" in capsys.readouterr().out
