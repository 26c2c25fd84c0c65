from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.policy.catalogue import PolicyKeySpec, ValueType


class PolicyValueForm(forms.Form):
    """One text box for any value type: words one per line, tables as JSON, scalars as typed."""

    value = forms.CharField(label=_("值"), widget=forms.Textarea(attrs={"rows": 3}))
    locked = forms.BooleanField(label=_("锁定（下级不能修改）"), required=False)
    note = forms.CharField(label=_("修改说明"), max_length=300)

    def __init__(self, *args: Any, spec: PolicyKeySpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec

    @staticmethod
    def as_text(spec: PolicyKeySpec, value: Any) -> str:
        if spec.value_type == ValueType.WORD_LIST:
            return "\n".join(value)
        if spec.value_type == ValueType.TABLE:
            return json.dumps(value, ensure_ascii=False, indent=1)
        if spec.value_type == ValueType.BOOL:
            return "true" if value else "false"
        return str(value)

    def clean_value(self) -> Any:
        text = self.cleaned_data["value"].strip()
        if self.spec.value_type == ValueType.WORD_LIST:
            return [line.strip() for line in text.splitlines() if line.strip()]
        if self.spec.value_type == ValueType.TABLE:
            try:
                return json.loads(text)
            except json.JSONDecodeError as exc:
                raise forms.ValidationError(_("表格请写成 JSON：%(error)s") % {"error": exc}) from exc
        if self.spec.value_type == ValueType.BOOL:
            return text.lower() in {"1", "true", "yes", "是", "on"}
        return text
