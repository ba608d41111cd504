"""Pages of the Monitor site: authorise, parse, call one service or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ecms.monitor import selectors, services
from ecms.monitor.forms import LetterFilterForm, RefuseForm, RegistrationForm
from ecms.monitor.models import Officer
from govcommon.errors import AppError

View = Callable[..., HttpResponse]


def monitor_user_required(view: View) -> View:
    """Signed in, and either a hub administrator or an approved officer."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.is_hub_admin(request.user) and selectors.officer_of(request.user) is None:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def hub_admin_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.is_hub_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


class MonitorLoginView(auth_views.LoginView):
    template_name = "monitor/login.html"


class MonitorPasswordChangeView(auth_views.PasswordChangeView):
    template_name = "monitor/password_change.html"
    success_url = reverse_lazy("monitor-letter-list")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.officer_password_changed(user=self.request.user)  # type: ignore[arg-type]
        messages.success(self.request, "เปลี่ยนรหัสผ่านเรียบร้อยแล้ว")
        return response


def _add_app_error(form: Form, error: AppError) -> None:
    form.add_error(None, error.message)


@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.officer_register(
                full_name=form.cleaned_data["full_name"],
                org_id=form.cleaned_data["organization"],
                position=form.cleaned_data["position"],
                email=form.cleaned_data["email"],
            )
        except AppError as error:
            _add_app_error(form, error)
        else:
            return render(request, "monitor/register_done.html", {"email": form.cleaned_data["email"]})
    return render(request, "monitor/register.html", {"form": form})


@require_safe  # read-only: anything but GET/HEAD is 405
@monitor_user_required
def letter_list_view(request: HttpRequest) -> HttpResponse:
    form = LetterFilterForm(request.GET or None)
    letters = selectors.letter_search(request.user, form.criteria())
    page = Paginator(letters, 50).get_page(request.GET.get("page"))
    rows = [(letter, selectors.is_overdue(letter)) for letter in page.object_list]
    return render(
        request,
        "monitor/letter_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "officer": selectors.officer_of(request.user),
            "status_labels": selectors.STATUS_LABELS,
        },
    )


@require_safe  # read-only: anything but GET/HEAD is 405
@monitor_user_required
def letter_detail_view(request: HttpRequest, letter_id: str) -> HttpResponse:
    letter = selectors.letter_for(request.user, letter_id)
    return render(
        request,
        "monitor/letter_detail.html",
        {
            "letter": letter,
            "timeline": selectors.letter_timeline(letter),
            "overdue": selectors.is_overdue(letter),
            "status_label": selectors.STATUS_LABELS.get(letter.status, letter.status),
        },
    )


@require_safe  # read-only: anything but GET/HEAD is 405
@hub_admin_required
def registration_list_view(request: HttpRequest) -> HttpResponse:
    officers = Officer.objects.select_related("organization").order_by("status", "-created_at")
    return render(request, "monitor/registrations.html", {"officers": officers, "refuse_form": RefuseForm()})


@require_POST
@hub_admin_required
def registration_approve_view(request: HttpRequest, officer_id: int) -> HttpResponse:
    try:
        officer = services.officer_approve(admin=request.user, officer_id=officer_id)  # type: ignore[arg-type]
    except AppError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"อนุมัติ {officer.full_name} แล้ว และส่งรหัสผ่านไปที่ {officer.email}")
    return redirect("monitor-registrations")


@require_POST
@hub_admin_required
def registration_refuse_view(request: HttpRequest, officer_id: int) -> HttpResponse:
    form = RefuseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        officer = services.officer_refuse(admin=request.user, officer_id=officer_id, reason=reason)  # type: ignore[arg-type]
    except AppError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"ไม่อนุมัติคำขอของ {officer.full_name}")
    return redirect("monitor-registrations")


@require_safe  # read-only: anything but GET/HEAD is 405
@hub_admin_required
def health_view(request: HttpRequest) -> HttpResponse:
    return render(request, "monitor/health.html", {"agencies": selectors.agency_health()})
