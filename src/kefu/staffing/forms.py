"""Planner forms. The unit is a plain id: the service loads it through the scope (404 outside it), so a
form never reveals or accepts a unit the planner cannot reach."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.staffing.models import Channel, CustomerTier


class UnitForm(forms.Form):
    unit_id = forms.IntegerField(label=_("单元"), widget=forms.Select)

    def __init__(self, *args: Any, units: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit_id"].widget.choices = [(u.id, f"{'　' * max(0, u.depth - 1)}{u.name}") for u in units]


class RunForm(UnitForm):
    channel = forms.ChoiceField(label=_("渠道"), choices=Channel.choices)
    starts_on = forms.DateField(label=_("预测开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label=_("预测天数"), min_value=1, max_value=62, initial=7)
    history_days = forms.IntegerField(label=_("使用历史天数"), min_value=7, max_value=730, initial=56)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class EventForm(UnitForm):
    name = forms.CharField(label=_("活动名称"), max_length=60)
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    multiplier = forms.DecimalField(label=_("话务倍数"), max_digits=6, decimal_places=2, min_value=0)
    channel = forms.ChoiceField(label=_("渠道"), choices=[("", _("全部渠道")), *Channel.choices], required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class CsvImportForm(UnitForm):
    csv_file = forms.FileField(label=_("CSV 文件"), required=False)
    csv_text = forms.CharField(label=_("或粘贴 CSV 内容"), widget=forms.Textarea(attrs={"rows": 6}), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("csv_file")
        if upload is not None:
            try:
                data["csv_text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(_("文件不是 UTF-8 编码的 CSV")) from None
            data["filename"] = upload.name
        else:
            data["filename"] = ""
        if not (data.get("csv_text") or "").strip():
            raise forms.ValidationError(_("请选择文件或粘贴 CSV 内容"))
        return data


class QueueForm(UnitForm):
    code = forms.CharField(label=_("编码"), max_length=40, help_text=_("全集团唯一，例如 HD-CHAT"))
    name = forms.CharField(label=_("名称"), max_length=100)
    channel = forms.ChoiceField(label=_("渠道"), choices=Channel.choices)
    service_group = forms.CharField(
        label=_("服务组"),
        max_length=50,
        required=False,
        help_text=_("在线渠道填官方渠道的服务组编码（如 HD-PRE），话务历史便由会话自动统计"),
    )
    customer_tier = forms.ChoiceField(label=_("客户层级"), choices=CustomerTier.choices, initial=CustomerTier.NORMAL)
    position_code = forms.CharField(label=_("岗位编码"), max_length=30, initial="agent")
    interval_minutes = forms.TypedChoiceField(
        label=_("统计间隔（分钟）"), choices=[(15, "15"), (30, "30"), (60, "60")], coerce=int, initial=30
    )


class ShiftForm(forms.Form):
    employee_no = forms.CharField(label=_("工号"), max_length=30)
    starts_at = forms.DateTimeField(label=_("开始"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("结束"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class TargetForm(forms.Form):
    service_level_target = forms.DecimalField(max_digits=4, decimal_places=3, min_value=0, max_value=1)
    note = forms.CharField(max_length=300, required=False)
