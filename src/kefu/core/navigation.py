"""The home page and menu a person sees, by the roles they hold. Apps register their sections."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise

from kefu.core import scopes
from kefu.core.scopes import Actor

StrOrPromise = str | Promise


@dataclass(frozen=True)
class Section:
    title: StrOrPromise
    url_name: str
    roles: tuple[str, ...]  # empty: everyone signed in
    description: StrOrPromise = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name)


SECTIONS: list[Section] = []


def register(*sections: Section) -> None:
    """Apps add their pages to the menu from AppConfig.ready(); the order of registration is kept."""
    SECTIONS.extend(s for s in sections if s not in SECTIONS)


def sections_for(actor: Actor) -> list[Section]:
    return [s for s in SECTIONS if not s.roles or scopes.has_any_role(actor, s.roles)]
