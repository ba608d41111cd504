"""The Test Tool page: paste or upload a message, choose or detect the process, see every problem."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ecms.testtool.checker import PROCESSES, check_message, sample_message

MAX_UPLOAD = 10 * 1024 * 1024


class CheckForm(forms.Form):
    process = forms.ChoiceField(
        label="กระบวนการ (Process)",
        required=False,
        choices=[("", "ตรวจหาจากข้อความอัตโนมัติ (detect)"), *((p.key, p.label) for p in PROCESSES.values())],
    )
    xml = forms.CharField(label="ข้อความ XML (paste)", required=False, widget=forms.Textarea(attrs={"rows": 16}))
    upload = forms.FileField(label="หรืออัปโหลดไฟล์ (upload)", required=False)

    def message_bytes(self) -> bytes:
        upload = self.cleaned_data.get("upload")
        if upload is not None:
            if upload.size > MAX_UPLOAD:
                raise forms.ValidationError("ไฟล์ใหญ่เกิน 10 MB")
            return bytes(upload.read())
        return str(self.cleaned_data.get("xml") or "").encode("utf-8")


@require_http_methods(["GET", "POST"])
def check_view(request: HttpRequest) -> HttpResponse:
    form = CheckForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.message_bytes()
        if data.strip():
            result = check_message(data, process_key=form.cleaned_data["process"] or None)
        else:
            form.add_error("xml", "กรุณาวางข้อความหรืออัปโหลดไฟล์")
    return render(request, "testtool/check.html", {"form": form, "result": result, "processes": PROCESSES.values()})


def sample_view(request: HttpRequest, process_key: str) -> HttpResponse:
    if process_key not in PROCESSES:
        raise Http404("ไม่รู้จักกระบวนการ")
    response = HttpResponse(sample_message(process_key), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{process_key}.xml"'
    return response
