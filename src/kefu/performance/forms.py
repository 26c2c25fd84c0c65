"""Page forms of the performance app. They only parse what a person typed; the services check scope,
roles and the rules. Units, departments and employees are plain ids (a select shows the ones in reach):
the service loads them through the scope, so an id outside it is a 404, never a hint."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.org.models import Employee, OrgUnit
from kefu.performance.models import ContestRule, KpiMetric, PeriodKind, SourceSystem, WorkLogKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what a date input expects
MAX_IMPORT_BYTES = 20 * 1024 * 1024


def unit_options(units: Iterable[OrgUnit], *, blank: bool = False) -> list[tuple[Any, str]]:
    options: list[tuple[Any, str]] = [("", "—")] if blank else []
    return options + [(u.id, f"{'　' * max(0, u.depth - 1)}{u.name}") for u in units]


def employee_options(employees: Iterable[Employee], *, blank: bool = False) -> list[tuple[Any, str]]:
    options: list[tuple[Any, str]] = [("", "—")] if blank else []
    return options + [(e.id, f"{e.name}（{e.employee_no}）") for e in employees]


class ImportForm(forms.Form):
    KINDS = [("work", _("工作记录")), ("quality", _("质检评分"))]
    FORMATS = [("", _("按文件名判断")), ("csv", "CSV"), ("json", "JSON")]

    unit_id = forms.IntegerField(label=_("导入范围（单元）"), widget=forms.Select)
    kind = forms.ChoiceField(label=_("数据类型"), choices=KINDS, initial="work")
    source_system = forms.ChoiceField(
        label=_("来源系统"),
        choices=[c for c in SourceSystem.choices if c[0] != SourceSystem.CHANNEL],
        help_text=_("质检评分总是来自质检系统"),
    )
    file = forms.FileField(label=_("文件（CSV 或 JSON）"), required=False)
    content = forms.CharField(label=_("或粘贴文件内容"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    fmt = forms.ChoiceField(label=_("格式"), choices=FORMATS, required=False)

    def __init__(self, *args: Any, units: Iterable[OrgUnit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit_id"].widget.choices = unit_options(units)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_IMPORT_BYTES:
                raise forms.ValidationError(_("文件超过 20 MB，请分批导入"))
            raw = upload.read()
            data["filename"] = upload.name
        else:
            raw = (data.get("content") or "").encode()
            data["filename"] = "粘贴内容"
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("文件不是 UTF-8 编码")) from None
        if not text.strip():
            raise forms.ValidationError(_("请选择文件或粘贴文件内容"))
        data["text"] = text
        if not data.get("fmt"):
            name = data["filename"].lower()
            json_like = name.endswith(".json") or (upload is None and text.lstrip()[:1] in ("[", "{"))
            data["fmt"] = "json" if json_like else "csv"
        return data


class ProposeForm(forms.Form):
    department_id = forms.IntegerField(label=_("部门"), widget=forms.Select)
    months = forms.IntegerField(label=_("取样月数"), required=False, help_text=_("留空按策略（最近 N 个完整月份）"))
    effective_from = forms.DateField(label=_("生效日期"), required=False, widget=DATE, help_text=_("留空为下月 1 日"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, departments: Iterable[OrgUnit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department_id"].widget.choices = unit_options(departments)


class KpiNodeForm(forms.Form):
    name = forms.CharField(label=_("指标名称"), max_length=100)
    metric = forms.ChoiceField(label=_("度量"), choices=KpiMetric.choices)
    target = forms.DecimalField(label=_("目标值"), max_digits=14, decimal_places=2)
    weight_percent = forms.DecimalField(
        label=_("权重（%）"), max_digits=6, decimal_places=2, help_text=_("在同级指标中的占比")
    )
    unit_label = forms.CharField(label=_("单位"), max_length=20, help_text=_("例如：分、条、元"))
    period_start = forms.DateField(label=_("周期开始"), widget=DATE)
    period_end = forms.DateField(label=_("周期结束"), widget=DATE)
    unit_id = forms.IntegerField(label=_("归属单元"), required=False, widget=forms.Select)
    employee_id = forms.IntegerField(label=_("或归属员工"), required=False, widget=forms.Select)
    specific = forms.CharField(label=_("具体（S）"), max_length=200, required=False)
    measurable = forms.CharField(label=_("可衡量（M）"), max_length=200, required=False)
    achievable = forms.CharField(label=_("可实现（A）"), max_length=200, required=False)
    relevant = forms.CharField(label=_("相关性（R）"), max_length=200, required=False)
    time_bound = forms.CharField(label=_("时限（T）"), max_length=200, required=False)

    def __init__(
        self, *args: Any, units: Iterable[OrgUnit] = (), employees: Iterable[Employee] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit_id"].widget.choices = unit_options(units, blank=True)
        self.fields["employee_id"].widget.choices = employee_options(employees, blank=True)

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["weight"] = data.pop("weight_percent") / Decimal(100)
        return data


class KpiActualForm(forms.Form):
    value = forms.DecimalField(label=_("实际值"), max_digits=14, decimal_places=2)


class KpiWeightsForm(forms.Form):
    """One percentage per child node: fields ``weight-<node id>``."""

    def __init__(self, *args: Any, children: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for child in children:
            self.fields[f"weight-{child.id}"] = forms.DecimalField(
                label=child.name, max_digits=6, decimal_places=2, initial=child.weight_percent
            )

    def weights(self) -> dict[int, Decimal]:
        return {
            int(name.removeprefix("weight-")): value / Decimal(100)
            for name, value in self.cleaned_data.items()
            if name.startswith("weight-")
        }


class PeriodOpenForm(forms.Form):
    unit_id = forms.IntegerField(label=_("单元"), widget=forms.Select)
    kind = forms.ChoiceField(label=_("类型"), choices=PeriodKind.choices)
    label = forms.CharField(label=_("名称"), max_length=60, help_text=_("例如：2026年4月"))
    start = forms.DateField(label=_("开始"), widget=DATE)
    end = forms.DateField(label=_("结束"), widget=DATE)

    def __init__(self, *args: Any, units: Iterable[OrgUnit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit_id"].widget.choices = unit_options(units)


class ReviewCreateForm(forms.Form):
    employee_id = forms.IntegerField(label=_("员工"), widget=forms.Select)
    peer_ids = forms.TypedMultipleChoiceField(
        label=_("同事评分人"), coerce=int, required=False, help_text=_("可多选；组长、质检与本人自动加入")
    )

    def __init__(
        self, *args: Any, employees: Iterable[Employee] = (), peers: Iterable[Employee] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = employee_options(employees)
        self.has_employees = bool(choices)
        self.fields["employee_id"].widget.choices = choices
        field = self.fields["peer_ids"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = employee_options(peers)


class ContestForm(forms.Form):
    unit_id = forms.IntegerField(label=_("参赛范围"), widget=forms.Select)
    name = forms.CharField(label=_("名称"), max_length=100)
    rule = forms.ChoiceField(label=_("规则"), choices=ContestRule.choices)
    starts_on = forms.DateField(label=_("开始"), widget=DATE)
    ends_on = forms.DateField(label=_("结束"), widget=DATE)
    winners_count = forms.IntegerField(label=_("获奖人数"), initial=3)
    prize = forms.CharField(label=_("奖励"), max_length=200, required=False)

    def __init__(self, *args: Any, units: Iterable[OrgUnit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit_id"].widget.choices = unit_options(units)


class WorkLogForm(forms.Form):
    period_id = forms.IntegerField(label=_("考核期"), widget=forms.Select)
    kind = forms.ChoiceField(label=_("类型"), choices=WorkLogKind.choices)
    content = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, periods: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period_id"].widget.choices = [(p.id, p.label) for p in periods]


class WorkLogRateForm(forms.Form):
    rating = forms.IntegerField(label=_("评分（0–100）"))
