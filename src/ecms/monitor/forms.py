from __future__ import annotations

from typing import Any

from django import forms

from ecms.hub.models import Organization
from ecms.monitor.selectors import STATUS_LABELS, LetterFilter


def _agency_choices() -> list[tuple[str, str]]:
    orgs = Organization.objects.filter(kind=Organization.Kind.DEPARTMENT, active=True).order_by("org_id")
    return [("", "— เลือกหน่วยงาน —")] + [(o.org_id, f"{o.name} ({o.org_id})") for o in orgs]


class RegistrationForm(forms.Form):
    full_name = forms.CharField(label="ชื่อ-นามสกุล", max_length=300)
    organization = forms.ChoiceField(label="หน่วยงาน", choices=())
    position = forms.CharField(label="ตำแหน่ง", max_length=300)
    email = forms.EmailField(label="อีเมล (ใช้เป็นชื่อผู้ใช้)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = _agency_choices()  # type: ignore[attr-defined]


class RefuseForm(forms.Form):
    reason = forms.CharField(label="เหตุผล", max_length=1000, required=False)


class LetterFilterForm(forms.Form):
    date_from = forms.DateField(label="ตั้งแต่วันที่", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="ถึงวันที่", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label="ที่ (เลขที่หนังสือ)", required=False, max_length=255)
    subject = forms.CharField(label="เรื่อง", required=False, max_length=255)
    counterpart = forms.ChoiceField(label="หน่วยงานคู่ติดต่อ", required=False, choices=())
    status = forms.ChoiceField(label="สถานะ", required=False, choices=[("", "ทุกสถานะ"), *STATUS_LABELS.items()])
    overdue_only = forms.BooleanField(label="เฉพาะหนังสือที่ค้างนาน", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _agency_choices()
        choices[0] = ("", "ทุกหน่วยงาน")
        self.fields["counterpart"].choices = choices  # type: ignore[attr-defined]

    def criteria(self) -> LetterFilter:
        if not self.is_valid():
            return LetterFilter()
        data = self.cleaned_data
        return LetterFilter(
            date_from=data["date_from"],
            date_to=data["date_to"],
            reference=data["reference"].strip(),
            subject=data["subject"].strip(),
            counterpart=data["counterpart"],
            status=data["status"],
            overdue_only=data["overdue_only"],
        )
