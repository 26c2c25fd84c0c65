from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from kefu.core import throttle


class ThrottledLoginForm(AuthenticationForm):
    """Django's login form, refusing further attempts after repeated failures from one address."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        if throttle.is_locked_out(username=username, address=address):
            minutes = max(settings.LOGIN_LOCKOUT_SECONDS // 60, 1)
            raise forms.ValidationError(
                _("登录失败次数过多，请 %(minutes)s 分钟后再试。") % {"minutes": minutes}, code="throttled"
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.note_failure(username=username, address=address)
            raise
        throttle.clear(username=username, address=address)
        return cleaned
