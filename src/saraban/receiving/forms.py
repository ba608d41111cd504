"""Forms parse the request into typed values (IncomingMetadata, IncomingFiles) at the edge."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet

from saraban.accounts.models import OrgUnit, User
from saraban.correspondence.enums import LetterKind, LetterSubKind, Secrecy, Speed
from saraban.correspondence.models import Registry
from saraban.receiving.models import Endorsement
from saraban.receiving.scans import FileRejectedError, IncomingFile, letter_pdf_from, sniff
from saraban.receiving.services import IncomingFiles, IncomingMetadata


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        if not items:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        return list(items)


def _read(upload: UploadedFile) -> IncomingFile:
    limit = int(settings.SARABAN_MAX_UPLOAD_BYTES)
    name = upload.name or "file"
    if upload.size is not None and upload.size > limit:
        raise FileRejectedError(f"ไฟล์ {name} มีขนาด {upload.size:,} ไบต์ เกินกว่าที่กำหนด {limit:,} ไบต์",
                                code="RCV-FILE-SIZE")
    return sniff(name, upload.read())


class ReceiveForm(forms.Form):
    registry = forms.ModelChoiceField(queryset=Registry.objects.none(), label="หน่วยสารบรรณที่ลงรับ",
                                      empty_label=None)
    document = MultipleFileField(label="ไฟล์หนังสือ (PDF หรือภาพสแกน JPEG/PNG/TIFF หลายหน้า)",
                                 allow_empty_file=True)
    attachments = MultipleFileField(label="สิ่งที่ส่งมาด้วย (ไฟล์แนบ)", required=False, allow_empty_file=True)
    reference_no = forms.CharField(label="ที่", max_length=100, required=False)
    letter_date = forms.DateField(label="ลงวันที่", required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    sender_text = forms.CharField(label="จาก", max_length=500, required=False)
    recipient_text = forms.CharField(label="ถึง", max_length=500, required=False)
    subject = forms.CharField(label="เรื่อง", max_length=500, required=True,
                              error_messages={"required": "กรุณาระบุเรื่อง"})
    kind = forms.ChoiceField(label="ชนิดหนังสือ", choices=LetterKind.choices, initial=LetterKind.EXTERNAL)
    subkind = forms.ChoiceField(label="ประเภทย่อย", choices=LetterSubKind.choices, required=False)
    speed = forms.TypedChoiceField(label="ชั้นความเร็ว", choices=Speed.choices, coerce=int, initial=Speed.NORMAL)
    due_by = forms.DateTimeField(label="ด่วนภายใน", required=False,
                                 widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    secrecy = forms.TypedChoiceField(label="ชั้นความลับ", choices=Secrecy.choices, coerce=int,
                                     initial=Secrecy.NORMAL)
    references = forms.CharField(label="อ้างถึง", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    enclosures = forms.CharField(label="สิ่งที่ส่งมาด้วย", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    copies_to = forms.CharField(label="สำเนาส่ง", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: User, registries: QuerySet[Registry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["registry"].queryset = registries  # type: ignore[attr-defined]
        self.fields["secrecy"].choices = [c for c in Secrecy.choices if c[0] <= user.clearance]  # type: ignore[attr-defined]

    def clean_document(self) -> IncomingFile:
        uploads: list[UploadedFile] = self.cleaned_data["document"]
        try:
            return letter_pdf_from([_read(u) for u in uploads])
        except FileRejectedError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc

    def clean_attachments(self) -> list[IncomingFile]:
        uploads: list[UploadedFile] = self.cleaned_data["attachments"]
        try:
            return [_read(u) for u in uploads]
        except FileRejectedError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc

    def metadata(self) -> IncomingMetadata:
        d = self.cleaned_data
        return IncomingMetadata(
            subject=d["subject"], reference_no=d["reference_no"], letter_date=d["letter_date"],
            sender_text=d["sender_text"], recipient_text=d["recipient_text"], kind=d["kind"],
            subkind=d["subkind"] or "", speed=d["speed"], due_by=d["due_by"], secrecy=d["secrecy"],
            references=d["references"], enclosures=d["enclosures"], copies_to=d["copies_to"],
        )

    def incoming_files(self) -> IncomingFiles:
        return IncomingFiles(document=self.cleaned_data["document"], attachments=self.cleaned_data["attachments"])


class ForwardForm(forms.Form):
    units = forms.ModelMultipleChoiceField(queryset=OrgUnit.objects.none(), label="ส่งถึงหน่วยงาน", required=False)
    users = forms.ModelMultipleChoiceField(queryset=User.objects.none(), label="ส่งถึงบุคคล", required=False)
    instruction = forms.CharField(label="ข้อความ/คำสั่งการ", required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, root: OrgUnit | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.filter(active=True).exclude(kind=OrgUnit.Kind.EXTERNAL)
        if root is not None:
            units = units.filter(parent=root)
        self.fields["units"].queryset = units  # type: ignore[attr-defined]
        self.fields["users"].queryset = User.objects.filter(is_active=True, can_open=True).order_by(  # type: ignore[attr-defined]
            "first_name"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("units") and not data.get("users"):
            raise forms.ValidationError("กรุณาเลือกหน่วยงานหรือผู้รับอย่างน้อยหนึ่งราย")
        return data


class EndorseForm(forms.Form):
    kind = forms.ChoiceField(label="ประเภท", choices=Endorsement.Kind.choices, initial=Endorsement.Kind.ORDER)
    text = forms.CharField(label="ข้อความ", widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"required": "กรุณาเขียนข้อความสั่งการหรือความเห็น"})


class StampPositionForm(forms.Form):
    right_mm = forms.IntegerField(label="ระยะจากขอบขวา (มม.)", min_value=0, max_value=150)
    top_mm = forms.IntegerField(label="ระยะจากขอบบน (มม.)", min_value=0, max_value=250)
