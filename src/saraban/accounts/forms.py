from __future__ import annotations

from django import forms


class LoginForm(forms.Form):
    username = forms.CharField(label="ชื่อผู้ใช้", max_length=150)
    password = forms.CharField(label="รหัสผ่าน", widget=forms.PasswordInput, strip=False)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="รหัสผ่านเดิม", widget=forms.PasswordInput, strip=False)
    new_password = forms.CharField(label="รหัสผ่านใหม่", widget=forms.PasswordInput, strip=False)
    new_password2 = forms.CharField(label="ยืนยันรหัสผ่านใหม่", widget=forms.PasswordInput, strip=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password2"):
            raise forms.ValidationError("รหัสผ่านใหม่ทั้งสองช่องไม่ตรงกัน")
        return data
