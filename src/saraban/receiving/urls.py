from __future__ import annotations

from django.urls import URLPattern, path

from saraban.receiving import views

urlpatterns: list[URLPattern] = [
    path("", views.inbox_view, name="rcv-inbox"),
    path("new/", views.receive_create_view, name="rcv-receive-create"),
    path("letter/<int:pk>/", views.letter_detail_view, name="rcv-letter-detail"),
    path("letter/<int:pk>/file/<int:file_id>/", views.letter_file_view, name="rcv-letter-file"),
    path("letter/<int:pk>/register/", views.letter_register_view, name="rcv-letter-register"),
    path("letter/<int:pk>/reject/", views.letter_reject_view, name="rcv-letter-reject"),
    path("letter/<int:pk>/stamp/", views.letter_stamp_view, name="rcv-letter-stamp"),
    path("letter/<int:pk>/forward/", views.letter_forward_view, name="rcv-letter-forward"),
    path("holding/<int:pk>/endorse/", views.holding_endorse_view, name="rcv-holding-endorse"),
    path("holding/<int:pk>/register/", views.holding_register_view, name="rcv-holding-register"),
    path("holding/<int:pk>/<str:state>/", views.holding_state_view, name="rcv-holding-state"),
    path("check/<int:registry_id>/", views.inbox_check_view, name="rcv-inbox-check"),
]
