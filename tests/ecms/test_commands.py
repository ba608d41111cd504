"""Management commands of the hub: directory loading and agency system accounts."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ecms.hub import services
from ecms.hub.models import AgencySystem, Organization
from thegif.errors import AuthFailedError, UnknownAgencyError


@pytest.mark.django_db
def test_it_loads_the_directory_from_json_and_csv(tmp_path: Path) -> None:
    call_command("load_directory", stdout=io.StringIO())
    assert Organization.objects.filter(kind="ministry").count() == 3
    dopa = Organization.objects.get(org_id="1503000000")
    assert (dopa.name, dopa.ministry.org_id if dopa.ministry else None) == ("กรมการปกครอง", "1500000000")
    csv_file = tmp_path / "more.csv"
    csv_file.write_text(
        "org_id,kind,short_name,name,ministry\n1503000000,department,มท 03,กรมการปกครอง (ปรับชื่อ),1500000000\n"
        "1502000000,department,มท 02,กรมป้องกันและบรรเทาสาธารณภัย,1500000000\n",
        encoding="utf-8",
    )
    call_command("load_directory", str(csv_file), stdout=io.StringIO())
    assert Organization.objects.get(org_id="1503000000").name == "กรมการปกครอง (ปรับชื่อ)"
    assert Organization.objects.filter(org_id="1502000000").exists()
    broken = tmp_path / "broken.csv"
    broken.write_text("org_id,name\n1,x\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_directory", str(broken), stdout=io.StringIO())


@pytest.mark.django_db
def test_it_creates_an_agency_system_with_a_generated_password() -> None:
    call_command("load_directory", stdout=io.StringIO())
    out = io.StringIO()
    call_command("create_agency_system", "--org", "0105000000", "--username", "soc", stdout=out)
    password = out.getvalue().split("password: ")[1].strip()
    system = AgencySystem.objects.get(username="soc")
    assert not system.password_hash.endswith(password)  # stored hashed
    caller = services.agency_authenticate(username="soc", password=password)
    assert caller.org_id == "0105000000"
    with pytest.raises(AuthFailedError):
        services.agency_authenticate(username="soc", password=password + "x")
    with pytest.raises(UnknownAgencyError):
        call_command("create_agency_system", "--org", "9999", "--username", "x", stdout=io.StringIO())
