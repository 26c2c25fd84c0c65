"""Compliance scanner quality: precision and recall per category on the labelled set.

    kefu bench scanner_quality [--data tests/compliance/data/labelled_messages.jsonl] [--blind] [--mistakes]

Prints one JSON line per figure, e.g.
{"bench": "scanner_quality", "subject": "kefu", "metric": "recall", "category": "contact_wechat", "value": 0.98}
plus the overall contact-exchange recall (target ≥ 0.97) and the share of negatives blocked (target ≤ 1%).
`--blind` also scores each set in tests/compliance/data/blind/ (written by reviewers who never saw the
rules; see its README), each line then naming its "set". `--mistakes` also prints each message the
scanner judged differently from its labels (to stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kefu.compliance.scanner.quality import evaluate, load_labelled

DATA = Path(__file__).resolve().parents[1] / "tests" / "compliance" / "data"
DEFAULT_DATA = DATA / "labelled_messages.jsonl"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="kefu bench scanner_quality", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled JSON lines")
    parser.add_argument("--blind", action="store_true", help="also score every set in tests/compliance/data/blind/")
    parser.add_argument("--mistakes", action="store_true", help="list misjudged messages on stderr")
    args = parser.parse_args(argv)

    sets: list[tuple[str | None, Path]] = [(None, args.data)]
    if args.blind:
        sets += [(path.stem, path) for path in sorted((DATA / "blind").glob("*.jsonl"))]
    for name, path in sets:
        evaluation = evaluate(load_labelled(path))
        labels = {"set": name} if name else {}
        for figure in evaluation.figures():
            print(json.dumps({"bench": "scanner_quality", "subject": "kefu", **labels, **figure}, ensure_ascii=False))
        if args.mistakes:
            for mistake in evaluation.mistakes:
                record = {
                    **labels,
                    "id": mistake.message.id,
                    "text": mistake.message.text,
                    "labels": sorted(mistake.message.labels),
                    "found": list(mistake.result.categories),
                }
                print(json.dumps(record, ensure_ascii=False), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
