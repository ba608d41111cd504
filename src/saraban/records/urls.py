from __future__ import annotations

from django.urls import URLPattern, path

from saraban.records import views
from saraban.records import views_lifecycle as lc

urlpatterns: list[URLPattern] = [
    path("search/", views.search_view, name="records-search"),
    path("storage/", lc.storage_register_view, name="records-storage"),
    path("storage/send/", lc.storage_send_view, name="records-storage-send"),
    path("storage/transfers/<int:pk>/", lc.transfer_view, name="records-transfer"),
    path("storage/transfers/<int:pk>/accept/", lc.transfer_accept_view, name="records-transfer-accept"),
    path("loans/", lc.loans_view, name="records-loans"),
    path("loans/new/<int:record_pk>/", lc.loan_request_view, name="records-loan-request"),
    path("loans/<int:pk>/decide/", lc.loan_decide_view, name="records-loan-decide"),
    path("loans/<int:pk>/return/", lc.loan_return_view, name="records-loan-return"),
    path("destruction/", lc.destruction_view, name="records-destruction"),
    path("destruction/new/", lc.destruction_create_view, name="records-destruction-create"),
    path("destruction/<int:pk>/", lc.destruction_batch_view, name="records-destruction-batch"),
    path("destruction/<int:pk>/<slug:step>/", lc.destruction_step_view, name="records-destruction-step"),
    path("twenty-years/", lc.twenty_view, name="records-twenty"),
    path("twenty-years/<int:pk>/pdf/", lc.twenty_pdf_view, name="records-twenty-pdf"),
    path("deposits/", lc.deposits_view, name="records-deposits"),
    path("deposits/<int:pk>/pdf/", lc.deposit_pdf_view, name="records-deposit-pdf"),
]
