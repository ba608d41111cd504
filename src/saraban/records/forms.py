from __future__ import annotations

from django import forms

from saraban.correspondence.enums import LetterKind, Secrecy, Speed
from saraban.correspondence.models import Letter, Registry


def _with_blank(choices: list[tuple[object, str]]) -> list[tuple[object, str]]:
    return [("", "ทั้งหมด"), *choices]


class SearchForm(forms.Form):
    q = forms.CharField(label="คำค้น", required=False, max_length=200)
    date_from = forms.DateField(label="ลงวันที่ตั้งแต่", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="ถึงวันที่", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    registry = forms.ModelChoiceField(label="หน่วยสารบรรณ", queryset=Registry.objects.none(), required=False,
                                      empty_label="ทั้งหมด")
    kind = forms.ChoiceField(label="ชนิด", required=False, choices=_with_blank(list(LetterKind.choices)))
    speed = forms.TypedChoiceField(label="ชั้นความเร็ว", required=False, coerce=int, empty_value=None,
                                   choices=_with_blank(list(Speed.choices)))
    secrecy = forms.TypedChoiceField(label="ชั้นความลับ", required=False, coerce=int, empty_value=None,
                                     choices=_with_blank(list(Secrecy.choices)))
    sender = forms.CharField(label="จาก", required=False, max_length=200)
    direction = forms.ChoiceField(label="ทิศทาง", required=False,
                                  choices=_with_blank(list(Letter.Direction.choices)))

    def __init__(self, *args: object, registries: list[Registry], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["registry"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Registry.objects.filter(pk__in=[r.pk for r in registries])
        for f in self.fields.values():
            css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            f.widget.attrs.setdefault("class", css)
