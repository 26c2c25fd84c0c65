"""Domain errors that views and the API turn into responses a person can act on."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A refusal by the domain: the message says what is wrong and what is missing (shown as 400)."""

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class NotFound(ApplicationError):
    """The record does not exist *or lies outside the actor's scope*: both look the same (404)."""


class Forbidden(ApplicationError):
    """The actor may see the record but has no role that allows this action (403)."""


class Conflict(ApplicationError):
    """Someone else changed the record first (409)."""
