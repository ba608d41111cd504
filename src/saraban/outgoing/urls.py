from __future__ import annotations

from django.urls import URLPattern, path

from saraban.outgoing import views

urlpatterns: list[URLPattern] = [
    path("", views.inbox_view, name="out-inbox"),
    path("new/", views.draft_create_view, name="out-draft-create"),
    path("scan/", views.draft_scan_view, name="out-draft-scan"),
    path("problems/", views.problems_view, name="out-problems"),
    path("<int:pk>/", views.draft_detail_view, name="out-draft-detail"),
    path("<int:pk>/edit/", views.draft_edit_view, name="out-draft-edit"),
    path("<int:pk>/preview.pdf", views.draft_preview_view, name="out-draft-preview"),
    path("<int:pk>/file/<int:file_id>/", views.draft_file_view, name="out-draft-file"),
    path("<int:pk>/submit/", views.draft_submit_view, name="out-draft-submit"),
    path("<int:pk>/return/", views.draft_return_view, name="out-draft-return"),
    path("<int:pk>/check/", views.draft_check_view, name="out-draft-check"),
    path("<int:pk>/sign/", views.draft_sign_view, name="out-draft-sign"),
    path("<int:pk>/dispatch/", views.letter_dispatch_view, name="out-letter-dispatch"),
    path("delivery/<int:pk>/resolve/", views.delivery_resolve_view, name="out-delivery-resolve"),
]
