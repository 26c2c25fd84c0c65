"""Sent after a policy change commits, so caches of compiled policy (e.g. the scanner's automaton) can
be rebuilt once. Other processes notice through :func:`kefu.policy.selectors.policy_generation`."""

from django.dispatch import Signal

# kwargs: key (str), unit_id (int)
policy_changed = Signal()
