"""Per-request context (request id) readable from services without passing the request around."""

from __future__ import annotations

import contextvars

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("kefu_request_id", default="")
