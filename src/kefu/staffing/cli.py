"""`kefu staffing erlang`: agents needed for one interval, from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from kefu.staffing.erlang import StaffingInputError, StaffingResult, required_agents

PROG = "kefu staffing erlang"

# Error messages name the flag the planner typed, not the Python parameter behind it.
_FLAGS = {
    "calls": "--calls",
    "aht_seconds": "--aht",
    "interval_minutes": "--interval-minutes",
    "service_level_target": "--service-level",
    "answer_within_seconds": "--answer-within",
    "shrinkage": "--shrinkage",
    "max_occupancy": "--max-occupancy",
    "patience_seconds": "--patience",
    "concurrency": "--concurrency",
}


def add_erlang_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of `kefu staffing erlang`; shared with the Django management command's subparser."""
    parser.add_argument("--calls", type=float, required=True, help="contacts offered in the interval")
    parser.add_argument("--aht", type=float, required=True, help="average handle time, seconds")
    parser.add_argument("--interval-minutes", type=float, default=30.0, help="interval length (default 30)")
    parser.add_argument("--service-level", type=float, required=True, help="target share answered in time, e.g. 0.8")
    parser.add_argument("--answer-within", type=float, required=True, help="target answer time, seconds")
    parser.add_argument("--shrinkage", type=float, default=0.0, help="share of paid time off the phones, e.g. 0.3")
    parser.add_argument("--max-occupancy", type=float, default=1.0, help="occupancy cap, e.g. 0.85")
    parser.add_argument("--patience", type=float, default=None, help="mean caller patience, seconds (Erlang A)")
    parser.add_argument("--concurrency", type=int, default=1, help="chats one agent handles at once (default 1)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Agents needed to answer one interval's contacts in time (Erlang C, or Erlang A with --patience).",
    )
    add_erlang_arguments(parser)
    return parser


def _as_json(result: StaffingResult) -> str:
    figures: dict[str, object] = {
        "agents": result.agents,
        "scheduled": result.scheduled,
        "service_level": result.service_level,
        "occupancy": result.occupancy,
        "asa_seconds": result.asa_seconds,
    }
    if result.abandon_rate is not None:
        figures["abandon_rate"] = result.abandon_rate
    figures["model"] = result.model
    return json.dumps(figures, ensure_ascii=False)


def _as_table(result: StaffingResult) -> str:
    rows = [
        ("model", "Erlang A" if result.model == "erlang_a" else "Erlang C"),
        ("offered load", f"{result.offered_load:.2f} Erlangs"),
        ("agents on the phones", str(result.agents)),
        ("scheduled (with shrinkage)", str(result.scheduled)),
        ("service level", f"{result.service_level:.1%}"),
        ("occupancy", f"{result.occupancy:.1%}"),
        ("average speed of answer", f"{result.asa_seconds:.1f} s"),
    ]
    if result.abandon_rate is not None:
        rows.append(("abandon rate", f"{result.abandon_rate:.1%}"))
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


def erlang_main(argv: list[str]) -> int:
    """Run `kefu staffing erlang` with `argv` (the words after "staffing erlang"); returns the exit code."""
    parser = _parser()
    try:
        options = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse has printed usage and the reason already
        return exit_.code if isinstance(exit_.code, int) else 2
    return erlang_run(options)


def erlang_run(options: argparse.Namespace, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Compute and print for already parsed `options`; 2 with a message naming the flag on bad input."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    try:
        result = required_agents(
            calls=options.calls,
            aht_seconds=options.aht,
            interval_minutes=options.interval_minutes,
            service_level_target=options.service_level,
            answer_within_seconds=options.answer_within,
            shrinkage=options.shrinkage,
            max_occupancy=options.max_occupancy,
            patience_seconds=options.patience,
            concurrency=options.concurrency,
        )
    except StaffingInputError as error:
        print(f"{PROG}: error: {_FLAGS.get(error.field, error.field)}: {error}", file=err)
        return 2
    print(_as_json(result) if options.json else _as_table(result), file=out)
    return 0
