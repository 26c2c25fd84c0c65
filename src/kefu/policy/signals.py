"""Policy-change signals, so caches of compiled policy (e.g. the scanner's automaton) can be rebuilt once.

`policy_changed` is sent after the change commits; `policy_written` at once, in the writing transaction
(a cache dropped then is rebuilt by the next reader of this process, who already sees the new row in
that transaction; the commit-time signal drops it again for everyone else). Other processes notice
through :func:`kefu.policy.selectors.policy_generation`."""

from django.dispatch import Signal

# kwargs: key (str), unit_id (int)
policy_changed = Signal()
policy_written = Signal()
