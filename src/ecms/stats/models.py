from __future__ import annotations

from django.db import models

from ecms.hub.models import Organization


class ReportDispatch(models.Model):
    """A monthly report e-mailed to an agency; the scheduled job skips (agency, month) pairs already sent."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()  # first day of the month reported
    recipients = models.JSONField(default=list)
    scheduled = models.BooleanField(default=True)  # False: asked for on the statistics page
    pdf_sha256 = models.CharField(max_length=64)
    sent_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["organization", "month"], name="stats_dispatch_org_month")]
