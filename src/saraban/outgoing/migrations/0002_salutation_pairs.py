from __future__ import annotations

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

# ภาคผนวก 2 of the regulation: the common pairs, editable afterwards in the admin.
PAIRS = [
    ("เรียน", "ขอแสดงความนับถือ", "บุคคลทั่วไปและผู้ดำรงตำแหน่งทั่วไป"),
    ("กราบเรียน", "ขอแสดงความนับถืออย่างยิ่ง", "ประธานองคมนตรี นายกรัฐมนตรี ประธานรัฐสภา ประธานศาลฎีกา"),
    ("นมัสการ", "ขอนมัสการด้วยความเคารพ", "พระภิกษุ"),
    ("กราบทูล", "ควรมิควรแล้วแต่จะโปรด", "สมเด็จเจ้าฟ้า"),
    ("ทูล", "ควรมิควรแล้วแต่จะโปรด", "พระองค์เจ้า"),
    ("ทูล", "ขอแสดงความนับถืออย่างยิ่ง", "หม่อมเจ้า"),
    ("นมัสการ", "ขอนมัสการด้วยความเคารพอย่างยิ่ง", "สมเด็จพระราชาคณะ"),
]


def load(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    pair = apps.get_model("outgoing", "SalutationPair")
    for order, (salutation, closing, used_for) in enumerate(PAIRS):
        pair.objects.create(salutation=salutation, closing=closing, used_for=used_for, order=order)


class Migration(migrations.Migration):
    dependencies = [("outgoing", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
