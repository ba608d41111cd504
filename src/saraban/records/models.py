"""Search index, storage (retention), loans and destruction of letters.

The search index is derived data: one row per letter with its metadata and the text of its
files, normalised for substring search. It can always be rebuilt from the letters
(``index_letters --all``) and so is not a record in itself.
"""

from __future__ import annotations

from django.db import models

from saraban.correspondence.models import Letter


class LetterIndex(models.Model):
    class State(models.TextChoices):
        OK = "ok", "จัดทำดัชนีแล้ว"
        PENDING_OCR = "ocr", "รอแปลงภาพเป็นข้อความ (OCR)"
        ERROR = "error", "จัดทำดัชนีไม่สำเร็จ"

    letter = models.OneToOneField(Letter, primary_key=True, on_delete=models.CASCADE, related_name="search_index")
    # Normalised text searched by substring: metadata, the files' text layer and OCR text.
    text = models.TextField(blank=True)
    content_text = models.TextField("ข้อความจากไฟล์", blank=True)
    # Copies of the letter's filter columns so that a search needs no join on the letter table.
    direction = models.CharField(max_length=8)
    kind = models.CharField(max_length=16)
    speed = models.IntegerField(default=0)
    secrecy = models.IntegerField(default=0)
    letter_date = models.DateField(null=True, blank=True)
    # Who is connected to the letter under the access rule, as keys (records.access): search
    # matches them against the user's keys in the same query that reads the text.
    access_keys = models.JSONField(default=dict, blank=True)
    # A secret letter's normalised metadata text, sealed under the letter's own key (correspondence.
    # sealing): a cleared user's search opens it instead of the letter's sealed fields.
    sealed_text = models.BinaryField(null=True, blank=True, editable=False)
    state = models.CharField(max_length=8, choices=State.choices, default=State.OK)
    error = models.TextField(blank=True)
    indexed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["state"], name="records_idx_state"),
            models.Index(fields=["letter_date"], name="records_idx_date"),
            # The newest secret letters, whose sealed text a cleared user's search opens in memory.
            models.Index(fields=["letter"], name="records_idx_secret", condition=models.Q(secrecy__gte=1)),
        ]
        verbose_name = "ดัชนีค้นหา"
        verbose_name_plural = "ดัชนีค้นหา"

    def __str__(self) -> str:
        return f"ดัชนีหนังสือ {self.letter_id}"


class SearchWords(models.Model):
    """PostgreSQL: the dictionary the index rows' word lists (``records_letterindex.words``, a column
    kept by raw SQL like the trigram index, see records.textwords) were built with. Search uses the
    word lists only while this matches the running dictionary: a new PyThaiNLP word list would
    otherwise miss letters indexed before it (``index_letters --words`` rebuilds them)."""

    fingerprint = models.CharField(max_length=100)
    built_at = models.DateTimeField()

    class Meta:
        verbose_name = "รายการคำของดัชนีค้นหา"
        verbose_name_plural = "รายการคำของดัชนีค้นหา"

    def __str__(self) -> str:
        return self.fingerprint


class Retention(models.IntegerChoices):
    """The retention classes of ข้อ 57 as shipped (years, 0 = permanent). The classes in use are
    data (``RetentionClass``): an agency may add e.g. 3 or 20 years or retire one."""

    ONE_YEAR = 1, "1 ปี (เรื่องประจำ)"
    FIVE_YEARS = 5, "5 ปี"
    TEN_YEARS = 10, "10 ปี (ค่าเริ่มต้น)"
    PERMANENT = 0, "เก็บตลอดไป (ห้ามทำลาย)"


class RetentionClass(models.Model):
    """A retention period the storage unit may choose (อายุการเก็บหนังสือ)."""

    years = models.PositiveSmallIntegerField("จำนวนปี (0 = ห้ามทำลาย)", unique=True)
    name = models.CharField("ชื่อ", max_length=100)
    is_default = models.BooleanField("ค่าเริ่มต้น", default=False)
    active = models.BooleanField("ใช้งาน", default=True)

    class Meta:
        ordering = ["-active", "years"]
        verbose_name = "อายุการเก็บหนังสือ"
        verbose_name_plural = "อายุการเก็บหนังสือ"

    def __str__(self) -> str:
        return self.name


class StorageTransfer(models.Model):
    """A list of letters sent for storage (บัญชีหนังสือส่งเก็บ, แบบที่ 19): the owning unit sends
    finished letters; the storage unit accepts them into its register (แบบที่ 20)."""

    class Status(models.TextChoices):
        SENT = "sent", "ส่งเก็บแล้ว รอหน่วยเก็บรับ"
        ACCEPTED = "accepted", "หน่วยเก็บรับแล้ว"

    unit = models.ForeignKey("accounts.OrgUnit", verbose_name="หน่วยงานเจ้าของเรื่อง", on_delete=models.PROTECT,
                             related_name="+")
    year_be = models.PositiveSmallIntegerField("ประจำปี พ.ศ.")
    status = models.CharField("สถานะ", max_length=16, choices=Status.choices, default=Status.SENT)
    sent_at = models.DateTimeField("วันที่ส่งเก็บ")
    sent_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField("วันที่หน่วยเก็บรับ", null=True, blank=True)
    accepted_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = "บัญชีหนังสือส่งเก็บ"
        verbose_name_plural = "บัญชีหนังสือส่งเก็บ"

    def __str__(self) -> str:
        return f"บัญชีหนังสือส่งเก็บ {self.pk} พ.ศ. {self.year_be}"


class StorageTransferItem(models.Model):
    transfer = models.ForeignKey(StorageTransfer, on_delete=models.CASCADE, related_name="items")
    letter = models.ForeignKey(Letter, verbose_name="หนังสือ", on_delete=models.PROTECT, related_name="+")
    file_code = models.CharField("รหัสแฟ้ม", max_length=64, blank=True)
    retention = models.PositiveSmallIntegerField("อายุการเก็บ (ปี)")
    remarks = models.CharField("หมายเหตุ", max_length=300, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.letter)


class StorageRecord(models.Model):
    """A line of the storage register (ทะเบียนหนังสือเก็บ, แบบที่ 20). The line stays after the
    letter is destroyed or transferred to the National Archives; only its status changes."""

    class Status(models.TextChoices):
        STORED = "stored", "เก็บรักษา"
        DESTROYED = "destroyed", "ทำลายแล้ว"
        TRANSFERRED = "transferred", "ส่งมอบหอจดหมายเหตุแห่งชาติแล้ว"

    letter = models.OneToOneField(Letter, verbose_name="หนังสือ", on_delete=models.PROTECT, related_name="storage")
    transfer = models.ForeignKey(StorageTransfer, verbose_name="บัญชีหนังสือส่งเก็บ", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="records")
    file_code = models.CharField("รหัสแฟ้ม", max_length=64, blank=True)
    retention = models.IntegerField("อายุการเก็บ", choices=Retention.choices, default=Retention.TEN_YEARS)
    keep_until_be = models.PositiveSmallIntegerField("เก็บถึง พ.ศ.", null=True, blank=True)
    stored_at = models.DateTimeField("วันที่เก็บ")
    stored_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("สถานะ", max_length=16, choices=Status.choices, default=Status.STORED)
    remarks = models.CharField("หมายเหตุ", max_length=500, blank=True)

    class Meta:
        ordering = ["stored_at", "id"]
        verbose_name = "ทะเบียนหนังสือเก็บ"
        verbose_name_plural = "ทะเบียนหนังสือเก็บ"

    def __str__(self) -> str:
        return f"{self.file_code} {self.letter}"

    @property
    def stamp(self) -> str:
        return "ห้ามทำลาย" if self.keep_until_be is None else f"เก็บถึง พ.ศ. {self.keep_until_be}"


class Loan(models.Model):
    """A borrowing card (บัตรยืมหนังสือ, แบบที่ 24). Outsiders get view/copy only, never a loan."""

    class Mode(models.TextChoices):
        LOAN = "loan", "ยืม"
        VIEW_COPY = "view", "ขอดูหรือคัดสำเนา (บุคคลภายนอก)"

    class Status(models.TextChoices):
        REQUESTED = "requested", "รออนุมัติ"
        REJECTED = "rejected", "ไม่อนุมัติ"
        ON_LOAN = "on_loan", "ยืมอยู่"
        RETURNED = "returned", "ส่งคืนแล้ว"
        VIEW_APPROVED = "view_ok", "อนุญาตให้ดูหรือคัดสำเนาแล้ว"

    record = models.ForeignKey(StorageRecord, verbose_name="รายการ", on_delete=models.PROTECT, related_name="loans")
    mode = models.CharField("ประเภท", max_length=8, choices=Mode.choices, default=Mode.LOAN)
    requested_by = models.ForeignKey("accounts.User", verbose_name="ผู้ขอ", on_delete=models.PROTECT,
                                     related_name="+")
    borrower_name = models.CharField("ผู้ยืม", max_length=200)
    borrower_position = models.CharField("ตำแหน่ง", max_length=200, blank=True)
    borrower_unit = models.CharField("หน่วยงาน", max_length=255, blank=True)
    purpose = models.CharField("เพื่อใช้ในราชการเรื่อง", max_length=500)
    due_date = models.DateField("กำหนดส่งคืน", null=True, blank=True)
    status = models.CharField("สถานะ", max_length=16, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField("วันที่ขอ")
    decided_by = models.ForeignKey("accounts.User", verbose_name="ผู้อนุมัติ", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("ความเห็น", max_length=500, blank=True)
    received_by = models.CharField("ผู้รับ", max_length=200, blank=True)
    borrowed_on = models.DateField("วันยืม", null=True, blank=True)
    returned_by = models.CharField("ผู้ส่งคืน", max_length=200, blank=True)
    returned_on = models.DateField("วันส่งคืน", null=True, blank=True)
    reminded_on = models.DateField("ทวงถามล่าสุด", null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"], name="records_loan_due")]
        verbose_name = "บัตรยืมหนังสือ"
        verbose_name_plural = "บัตรยืมหนังสือ"

    def __str__(self) -> str:
        return f"บัตรยืม {self.pk} {self.borrower_name}"


class DestructionBatch(models.Model):
    """A list of letters proposed for destruction (บัญชีหนังสือขอทำลาย, แบบที่ 25), its committee
    and its way through the committee, the National Archives and the destruction itself."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "แต่งตั้งคณะกรรมการแล้ว รอพิจารณา"
        DECIDED = "decided", "คณะกรรมการพิจารณาแล้ว"
        SENT = "sent", "ส่งกรมศิลปากรพิจารณา"
        REVIEWED = "reviewed", "กรมศิลปากรพิจารณาแล้ว"
        DESTROYED = "destroyed", "ทำลายแล้ว"

    year_be = models.PositiveSmallIntegerField("ประจำปี พ.ศ.")
    appointing_order = models.CharField("คำสั่งแต่งตั้งคณะกรรมการ", max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    letters = models.ManyToManyField(Letter, verbose_name="หนังสือ", related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("วันที่คณะกรรมการพิจารณา", null=True, blank=True)
    archives_sent_on = models.DateField("วันที่ส่งกรมศิลปากร", null=True, blank=True)
    archives_reply_on = models.DateField("วันที่กรมศิลปากรตอบ", null=True, blank=True)
    archives_deemed = models.BooleanField("ถือว่าเห็นชอบ (ไม่ตอบภายใน 60 วัน)", default=False)
    # ข้อ 89/5: electronic letters kept more than 10 years are destroyed only by the head's order.
    electronic_order = models.CharField("คำสั่งหัวหน้าส่วนราชการ (หนังสืออิเล็กทรอนิกส์)", max_length=200,
                                        blank=True)
    electronic_order_by = models.CharField("หัวหน้าส่วนราชการผู้สั่ง", max_length=200, blank=True)
    electronic_order_on = models.DateField("ลงวันที่คำสั่ง", null=True, blank=True)
    destroyed_at = models.DateTimeField("วันที่ทำลาย", null=True, blank=True)
    destroyed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    method = models.CharField("วิธีทำลาย", max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "บัญชีหนังสือขอทำลาย"
        verbose_name_plural = "บัญชีหนังสือขอทำลาย"

    def __str__(self) -> str:
        return f"บัญชีหนังสือขอทำลาย พ.ศ. {self.year_be}"


class DestructionItem(models.Model):
    """One line of the destruction list with the committee's decision (การพิจารณา)."""

    class Decision(models.TextChoices):
        PENDING = "", "รอพิจารณา"
        DESTROY = "destroy", "ทำลาย"
        KEEP = "keep", "ขยายเวลาเก็บ"

    batch = models.ForeignKey(DestructionBatch, on_delete=models.CASCADE, related_name="items")
    record = models.ForeignKey(StorageRecord, on_delete=models.PROTECT, related_name="destruction_items")
    decision = models.CharField("การพิจารณา", max_length=8, choices=Decision.choices, blank=True, default="")
    extend_years = models.PositiveSmallIntegerField("ขยายเวลาเก็บ (ปี)", null=True, blank=True)
    archives_keep = models.BooleanField("กรมศิลปากรขอเก็บ", default=False)
    remarks = models.CharField("หมายเหตุ", max_length=300, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)
    files_removed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.batch} — {self.record}"


class CommitteeMember(models.Model):
    batch = models.ForeignKey(DestructionBatch, on_delete=models.CASCADE, related_name="committee")
    name = models.CharField("ชื่อ", max_length=200)
    position = models.CharField("ตำแหน่ง", max_length=200)
    is_chair = models.BooleanField("ประธาน", default=False)

    class Meta:
        ordering = ["-is_chair", "id"]

    def __str__(self) -> str:
        return self.name


class TwentyYearList(models.Model):
    """The 20-year transfer list (บัญชีส่งมอบหนังสือครบ 20 ปี, แบบที่ 21) or the list of 20-year
    letters the agency keeps itself (บัญชีหนังสือครบ 20 ปีที่ขอเก็บเอง)."""

    class Kind(models.TextChoices):
        TRANSFER = "transfer", "บัญชีส่งมอบหนังสือครบ 20 ปี"
        KEEP = "keep", "บัญชีหนังสือครบ 20 ปีที่ขอเก็บเอง"

    kind = models.CharField("ประเภท", max_length=8, choices=Kind.choices)
    year_be = models.PositiveSmallIntegerField("ประจำปี พ.ศ.")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "บัญชีหนังสือครบ 20 ปี"
        verbose_name_plural = "บัญชีหนังสือครบ 20 ปี"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} พ.ศ. {self.year_be}"


class TwentyYearItem(models.Model):
    list = models.ForeignKey(TwentyYearList, on_delete=models.CASCADE, related_name="items")
    record = models.OneToOneField(StorageRecord, on_delete=models.PROTECT, related_name="twenty_year_item")
    remarks = models.CharField("หมายเหตุ", max_length=300, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.record)


class DepositList(models.Model):
    """A deposit list (บัญชีฝากหนังสือ, ข้อ 60): stored letters the agency deposits with the National
    Archives, which checks them and signs the list. The letters stay the agency's records."""

    archives = models.CharField("ผู้รับฝาก", max_length=200, default="หอจดหมายเหตุแห่งชาติ")
    depositor_name = models.CharField("ผู้ฝาก", max_length=200)
    depositor_position = models.CharField("ตำแหน่งผู้ฝาก", max_length=200, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "บัญชีฝากหนังสือ"
        verbose_name_plural = "บัญชีฝากหนังสือ"

    def __str__(self) -> str:
        return f"บัญชีฝากหนังสือ ฉบับที่ {self.pk}"


class DepositItem(models.Model):
    deposit = models.ForeignKey(DepositList, on_delete=models.CASCADE, related_name="items")
    # A letter is on one deposit list at most (it is in the Archives' hands once deposited).
    record = models.OneToOneField(StorageRecord, on_delete=models.PROTECT, related_name="deposit_item")
    receive_number = models.CharField("เลขทะเบียนรับ", max_length=64, blank=True)
    remarks = models.CharField("หมายเหตุ", max_length=300, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.record)
