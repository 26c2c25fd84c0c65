"""`kefu scan [FILE] [--policy FILE]`: judge chat messages given as JSON lines.

Input, one message per line (stdin when no FILE; blank lines are skipped):

    {"id": "m1", "text": "加我薇信 abc123", "speaker": "agent", "conversation": "c-9"}

`speaker` ("agent" or "customer") and `conversation` are optional; lines sharing a conversation are
one conversation in input order, so a number split over several messages is caught. Output, one line
per input line, in order:

    {"id": "m1", "action": "block", "categories": ["contact_wechat"], "matches": [{"start": 0, ...}]}

A malformed line stops the run: the lines before it are written and flushed, nothing is written for
it or after it, stderr names the line number and the reason, and the exit status is 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import IO, Any

from kefu.compliance.scanner.engine import Scanner
from kefu.compliance.scanner.lexicon import ScannerPolicy, default_policy

SPEAKERS = ("agent", "customer")


class MalformedLine(ValueError):
    """A line that is not a message; the text says what is wrong."""


def _parse_line(raw: bytes) -> tuple[Any, str, str, Hashable | None]:
    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise MalformedLine(f"not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise MalformedLine(f"not JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(record, dict):
        raise MalformedLine("expected a JSON object with a 'text' field")
    text = record.get("text")
    if not isinstance(text, str):
        raise MalformedLine("'text' must be a string")
    speaker = record.get("speaker", "agent")
    if speaker not in SPEAKERS:
        raise MalformedLine(f"'speaker' must be 'agent' or 'customer', not {speaker!r}")
    conversation = record.get("conversation")
    if conversation is not None and (isinstance(conversation, bool) or not isinstance(conversation, str | int)):
        raise MalformedLine("'conversation' must be a string or an integer")
    return record.get("id"), text, speaker, conversation


def _encode(record: dict[str, Any]) -> bytes:
    line = json.dumps(record, ensure_ascii=False)
    try:
        return (line + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate in the input: keep valid JSON with \u escapes
        return (json.dumps(record) + "\n").encode("ascii")


def load_policy(path: Path) -> ScannerPolicy:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"cannot read policy {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"policy {path}: expected a JSON object")
    return ScannerPolicy.from_dict(data)


def scan_lines(lines: Iterable[bytes], *, scanner: Scanner, out: IO[bytes], err: IO[str], batch: int = 1_000) -> int:
    """Scan JSON lines to `out`; returns the exit status (0, or 2 at the first malformed line).

    Lines are judged in batches (`Scanner.scan_many`, the same results as one by one); a malformed
    line first flushes the batch before it, so everything before it is written and nothing after.
    """
    pending: list[tuple[Any, str, str, Hashable | None]] = []

    def flush() -> None:
        results = scanner.scan_many(
            [text for _, text, _, _ in pending],
            speakers=[speaker for _, _, speaker, _ in pending],
            conversations=[conversation for _, _, _, conversation in pending],
        )
        out.write(
            b"".join(
                _encode({"id": record[0], **result.to_dict()}) for record, result in zip(pending, results, strict=True)
            )
        )
        pending.clear()

    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            pending.append(_parse_line(raw))
        except MalformedLine as exc:
            flush()
            out.flush()
            err.write(f"kefu scan: line {number}: {exc}\n")
            return 2
        if len(pending) >= batch:
            flush()
    flush()
    out.flush()
    return 0


def main(argv: list[str]) -> int:
    """Entry point for `kefu scan`; `argv` are the arguments after `scan`."""
    parser = argparse.ArgumentParser(
        prog="kefu scan", description="Judge chat messages (JSON lines) with the compliance scanner."
    )
    parser.add_argument("file", nargs="?", type=Path, help="JSON lines to scan (default: standard input)")
    parser.add_argument("--policy", type=Path, help="a JSON scanner policy (default: the built-in policy)")
    args = parser.parse_args(argv)
    try:
        policy = load_policy(args.policy) if args.policy else default_policy()
    except ValueError as exc:
        sys.stderr.write(f"kefu scan: {exc}\n")
        return 2
    scanner = Scanner(policy)
    out = sys.stdout.buffer
    if args.file is None:
        return scan_lines(sys.stdin.buffer, scanner=scanner, out=out, err=sys.stderr)
    try:
        source = args.file.open("rb")
    except OSError as exc:
        sys.stderr.write(f"kefu scan: cannot open {args.file}: {exc.strerror}\n")
        return 2
    with source:
        return scan_lines(source, scanner=scanner, out=out, err=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
