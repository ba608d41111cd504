"""Forms parse the request into typed inputs (DraftInput, RecipientInput) at the edge."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet

from saraban.accounts.models import OrgUnit, User
from saraban.correspondence.enums import LetterKind, LetterSubKind, Secrecy, Speed
from saraban.correspondence.models import Registry
from saraban.outgoing.models import Delivery, Draft, DraftRecipient, SalutationPair
from saraban.outgoing.services import DraftInput, RecipientInput
from saraban.receiving.forms import MultipleFileField, _read
from saraban.receiving.scans import FileRejectedError, IncomingFile, letter_pdf_from

# Fields of particular kinds (the layout shows them); names are the keys of Draft.extra.
EXTRA_FIELDS: tuple[tuple[str, str], ...] = (
    ("authority", "อาศัยอำนาจตาม (ข้อบังคับ)"),
    ("issue_no", "ฉบับที่ (แถลงการณ์/ข่าว)"),
    ("meeting_no", "ครั้งที่ (รายงานการประชุม)"),
    ("venue", "สถานที่ประชุม"),
    ("attendees", "ผู้มาประชุม"),
    ("absentees", "ผู้ไม่มาประชุม"),
    ("observers", "ผู้เข้าร่วมประชุม"),
    ("start_time", "เริ่มประชุมเวลา"),
    ("end_time", "เลิกประชุมเวลา"),
)
TEXTAREA_ROWS = 2


def _text(label: str, *, rows: int = TEXTAREA_ROWS, required: bool = False) -> forms.CharField:
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}))


def external_agencies() -> QuerySet[OrgUnit]:
    """Agencies letters can go to: external units and any unit with an exchange code or e-mail."""
    return OrgUnit.objects.filter(Q(kind=OrgUnit.Kind.EXTERNAL) | ~Q(ecms_code=""), active=True).order_by("name")


class DraftForm(forms.Form):
    kind = forms.ChoiceField(label="ชนิดหนังสือ", choices=LetterKind.choices, initial=LetterKind.EXTERNAL)
    subkind = forms.ChoiceField(label="ประเภท (หนังสือสั่งการ/ประชาสัมพันธ์/หลักฐาน)", choices=LetterSubKind.choices,
                                required=False)
    series = forms.ChoiceField(label="ชุดเลขที่จะออก", choices=Draft.Series.choices, initial=Draft.Series.SEND)
    speed = forms.TypedChoiceField(label="ชั้นความเร็ว", choices=Speed.choices, coerce=int, initial=Speed.NORMAL)
    secrecy = forms.TypedChoiceField(label="ชั้นความลับ", choices=Secrecy.choices, coerce=int,
                                     initial=Secrecy.NORMAL)
    due_by = forms.DateTimeField(label="กำหนดเสร็จ/ด่วนภายใน", required=False,
                                 widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    subject = forms.CharField(label="เรื่อง", max_length=500, required=False)
    recipient_text = forms.CharField(label="เรียน/ถึง", max_length=500, required=False)
    pair = forms.ModelChoiceField(label="คำขึ้นต้น / คำลงท้าย", queryset=SalutationPair.objects.none(),
                                  required=False)
    references = _text("อ้างถึง")
    enclosures = _text("สิ่งที่ส่งมาด้วย")
    body = _text("ข้อความ (ย่อหน้าละบรรทัด)", rows=8)
    copies_to = _text("สำเนาส่ง")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pair"].queryset = SalutationPair.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["secrecy"].choices = [c for c in Secrecy.choices if c[0] <= user.clearance]  # type: ignore[attr-defined]
        for key, label in EXTRA_FIELDS:
            self.fields[key] = forms.CharField(label=label, required=False, max_length=500)

    def draft_input(self, recipients: tuple[RecipientInput, ...] | None) -> DraftInput:
        d = self.cleaned_data
        pair: SalutationPair | None = d.get("pair")
        return DraftInput(
            kind=d["kind"], subkind=d["subkind"] or "", subject=d["subject"], body=d["body"],
            recipient_text=d["recipient_text"], salutation=pair.salutation if pair else "",
            closing=pair.closing if pair else "", speed=d["speed"], secrecy=d["secrecy"],
            references=d["references"], enclosures=d["enclosures"], copies_to=d["copies_to"],
            series=d["series"], extra={k: d[k].strip() for k, _ in EXTRA_FIELDS if d.get(k, "").strip()},
            due_by=d["due_by"], recipients=recipients,
        )

    @staticmethod
    def initial_for(draft: Draft) -> dict[str, Any]:
        letter = draft.letter
        pair = SalutationPair.objects.filter(salutation=draft.salutation, closing=draft.closing).first()
        return {"kind": letter.kind, "subkind": letter.subkind, "series": draft.series, "speed": letter.speed,
                "secrecy": letter.secrecy, "due_by": letter.due_by, "subject": letter.subject,
                "recipient_text": letter.recipient_text, "pair": pair, "references": letter.references,
                "enclosures": letter.enclosures, "body": letter.body, "copies_to": letter.copies_to,
                **draft.extra}


class ScanForm(DraftForm):
    document = MultipleFileField(label="หนังสือที่ลงนามแล้ว (PDF หรือภาพสแกน JPEG/PNG/TIFF หลายหน้า)",
                                 allow_empty_file=True)

    def clean_document(self) -> IncomingFile:
        uploads: list[UploadedFile] = self.cleaned_data["document"]
        try:
            return letter_pdf_from([_read(u) for u in uploads])
        except FileRejectedError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc


class RecipientForm(forms.Form):
    """One recipient: a known agency (its hub code or e-mail fills the address) or a typed name."""

    agency = forms.ModelChoiceField(label="หน่วยงาน", queryset=OrgUnit.objects.none(), required=False,
                                    empty_label="— พิมพ์ชื่อเอง —")
    name = forms.CharField(label="ชื่อผู้รับ", max_length=300, required=False)
    channel = forms.ChoiceField(label="ช่องทาง", choices=Delivery.Channel.choices, initial=Delivery.Channel.HUB)
    address = forms.CharField(label="รหัสหน่วยงาน / อีเมล / ที่อยู่", max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = external_agencies()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        agency: OrgUnit | None = data.get("agency")
        if agency is not None:
            data["name"] = data.get("name") or agency.name
            if not data.get("address"):
                if data.get("channel") == Delivery.Channel.HUB:
                    data["address"] = agency.ecms_code
                elif data.get("channel") == Delivery.Channel.EMAIL:
                    data["address"] = agency.email
                else:
                    data["address"] = agency.address
        return data

    def recipient(self) -> RecipientInput | None:
        d = self.cleaned_data
        if not d.get("name") and not d.get("address"):
            return None  # an empty row of the list
        return RecipientInput(name=d.get("name", ""), channel=d["channel"], address=d.get("address", ""))


RecipientFormSet = forms.formset_factory(RecipientForm, extra=2, max_num=50)


def formset_recipients(formset: forms.BaseFormSet[RecipientForm]) -> tuple[RecipientInput, ...]:
    """The filled rows of a valid recipient formset (empty rows are left out)."""
    return tuple(r for f in formset.forms if (r := f.recipient()) is not None)


def recipients_initial(draft: Draft) -> list[dict[str, str]]:
    rows: list[DraftRecipient] = list(draft.recipients.all())
    return [{"name": r.name, "channel": r.channel, "address": r.address} for r in rows]


class ReturnForm(forms.Form):
    comment = forms.CharField(label="สิ่งที่ต้องแก้ไข", widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": "กรุณาระบุสิ่งที่ต้องแก้ไข"})


class CheckForm(forms.Form):
    signer = forms.ModelChoiceField(label="เสนอผู้ลงนาม", queryset=User.objects.none(), empty_label=None)

    def __init__(self, *args: Any, signers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signer"].queryset = signers  # type: ignore[attr-defined]


class SignForm(forms.Form):
    password = forms.CharField(label="ยืนยันรหัสผ่านเพื่อลงนาม", strip=False, widget=forms.PasswordInput,
                               error_messages={"required": "กรุณาใส่รหัสผ่าน"})


class DispatchForm(forms.Form):
    registry = forms.ModelChoiceField(label="ลงทะเบียนส่งที่", queryset=Registry.objects.none(), empty_label=None)

    def __init__(self, *args: Any, registries: QuerySet[Registry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["registry"].queryset = registries  # type: ignore[attr-defined]


class ResolveForm(forms.Form):
    note = forms.CharField(label="การจัดการ", max_length=200, error_messages={"required": "กรุณาระบุการจัดการ"})
