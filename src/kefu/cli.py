"""The `kefu` command: Django's management commands, plus `kefu bench` for the benchmarks.

kefu serve            ASGI server (uvicorn) on 127.0.0.1:8000
kefu demo             load the deterministic demo organisation once
kefu audit verify     recompute the audit chain; `kefu audit checkpoint` prints its head
kefu bench NAME|all   run benchmarks from bench/, one JSON line per figure
kefu <command>        any Django management command (migrate, createsuperuser, shell …)
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path


def _bench_dir() -> Path:
    # The benchmarks live beside the source tree (bench/), not inside the installed package.
    for candidate in (Path.cwd() / "bench", Path(__file__).resolve().parents[2] / "bench"):
        if candidate.is_dir():
            return candidate
    raise SystemExit("kefu bench: no bench/ folder found (run it from a kefu checkout)")


def bench(argv: list[str]) -> int:
    folder = _bench_dir()
    available = sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_"))
    if not argv or argv[0] in {"-h", "--help"}:
        print("usage: kefu bench NAME|all [flags]\navailable: " + ", ".join(available))
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    names = available if name == "all" else [name]
    for bench_name in names:
        path = folder / f"{bench_name}.py"
        if not path.exists():
            print(f"kefu bench: unknown benchmark {bench_name!r}; available: {', '.join(available)}", file=sys.stderr)
            return 2
        spec = importlib.util.spec_from_file_location(f"kefu_bench_{bench_name}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        # Registered first, as a normal import would be, so dataclasses in the bench can resolve names.
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        status = module.main(rest)
        if status:
            return int(status)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    if argv and argv[0] == "bench":
        return bench(argv[1:])
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kefu", *argv])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
