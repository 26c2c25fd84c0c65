from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve kefu over ASGI (uvicorn): web pages, API and WebSockets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument("--reload", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        import uvicorn

        self.stdout.write(f"kefu serving on http://{options['host']}:{options['port']}/")
        uvicorn.run(
            "kefu.asgi:application",
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            reload=options["reload"],
            log_level="info",
        )
