"""Keeping the search index of letters up to date.

The index is derived data (rebuilt at will by ``index_letters --all``), so indexing one letter
writes no audit record of its own; the ``index_letters`` run is audited as one event.
Slow work (pdftotext, OCR) runs before the transaction so the write lock is held briefly.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from saraban.accounts.models import User
from saraban.audit.services import audit_record
from saraban.correspondence import sealing, storage
from saraban.correspondence.models import Letter, LetterFile
from saraban.records import textextract
from saraban.records.access import letters_access_keys
from saraban.records.models import LetterIndex, SearchWords
from saraban.records.textnorm import normalize
from saraban.records.textwords import text_words, vocabulary

# Raw exchange evidence is XML the letter's own files already carry; it is not indexed.
SKIPPED_ROLES = (LetterFile.Role.EVIDENCE,)
MAX_CONTENT_CHARS = 500_000


# The metadata a text search reads, in this order (the index, and the in-memory scan of sealed letters).
METADATA_FIELDS = ("reference_no", "subject", "sender_text", "recipient_text", "references", "enclosures",
                   "copies_to", "body")


def metadata_text(values: dict[str, str]) -> str:
    return "\n".join(str(values[name]) for name in METADATA_FIELDS if values.get(name))


def letter_sealed_search_text(letter: Letter) -> bytes | None:
    """A secret letter's whole normalised metadata text, sealed under its own key for its index row;
    None for other letters (and a secret letter not yet written with its key)."""
    if not letter.is_secret or not letter.key_wrapped:
        return None
    text = normalize(metadata_text({name: getattr(letter, name) for name in METADATA_FIELDS}))
    return sealing.search_text_seal(letter.data_key(), text, letter.pk)


def letter_metadata_text(letter: Letter) -> str:
    """What the index keeps of a letter's metadata. A secret letter's text is sealed at rest, so the
    index keeps only its ที่, parties and the mask (records.selectors searches its text in memory)."""
    if letter.is_secret:
        return metadata_text({"reference_no": letter.reference_no, "subject": sealing.MASKS["subject"],
                              "sender_text": letter.sender_text, "recipient_text": letter.recipient_text})
    return metadata_text({name: getattr(letter, name) for name in METADATA_FIELDS})


@dataclass(frozen=True)
class _Extracted:
    text: str
    needs_ocr: bool
    errors: list[str]


def _files_of(letter: Letter) -> list[LetterFile]:
    seen: set[str] = set()
    files: list[LetterFile] = []
    for f in letter.files.exclude(role__in=SKIPPED_ROLES).order_by("id"):
        if f.sha256 not in seen:  # the stamped copy and the original often share content
            seen.add(f.sha256)
            files.append(f)
    return files


def _extract(letter: Letter, *, ocr: bool) -> _Extracted:
    texts: list[str] = []
    needs_ocr = False
    errors: list[str] = []
    if letter.is_secret:  # sealed files are not opened for the index
        return _Extracted(text="", needs_ocr=False, errors=[])
    for f in _files_of(letter):
        path = storage.path_for(f.sha256)
        try:
            if f.mime_type == textextract.PDF:
                pdf = textextract.pdf_text(path)
                texts.extend(pdf.pages)
                if pdf.image_pages:
                    if ocr:
                        texts.append(textextract.ocr_pdf_pages(path, pdf.image_pages))
                    else:
                        needs_ocr = True
            elif f.mime_type.startswith("image/"):
                if ocr:
                    texts.append(textextract.ocr_image(path))
                else:
                    needs_ocr = True
        except (OSError, subprocess.SubprocessError) as exc:  # a broken file must not stop the rest
            errors.append(f"{f.name}: {exc}")
    return _Extracted(text="\n".join(texts)[:MAX_CONTENT_CHARS], needs_ocr=needs_ocr, errors=errors)


def _index_write(letter: Letter, extracted: _Extracted) -> LetterIndex:
    if extracted.errors:
        state = LetterIndex.State.ERROR
    elif extracted.needs_ocr:
        state = LetterIndex.State.PENDING_OCR
    else:
        state = LetterIndex.State.OK
    content = normalize(extracted.text)
    with transaction.atomic():
        index, _ = LetterIndex.objects.update_or_create(
            letter=letter,
            defaults={
                "text": normalize(letter_metadata_text(letter)) + "\n" + content,
                "content_text": content,
                "direction": letter.direction,
                "kind": letter.kind,
                "speed": letter.speed,
                "secrecy": letter.secrecy,
                "letter_date": letter.letter_date,
                "access_keys": letters_access_keys([letter.pk]).get(letter.pk, {}),
                "sealed_text": letter_sealed_search_text(letter),
                "state": state,
                "error": "\n".join(extracted.errors),
                "indexed_at": timezone.now(),
            },
        )
        index_words_write(letter.pk, index.text)
    return index


WORDS_UPDATE_SQL = "UPDATE records_letterindex SET words = %s::integer[] WHERE letter_id = %s"
WORDS_BATCH = 2000


def index_words_write(letter_id: int, text: str) -> None:
    """PostgreSQL: the dictionary words of an index row's text (records.textwords), written in the
    caller's transaction whenever the text changes. SQLite's FTS5 table is kept by triggers instead."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(WORDS_UPDATE_SQL, [text_words(text), letter_id])


def words_ready() -> bool:
    """Whether search may use the index rows' word lists: none of them was built with another
    dictionary (a row of ``SearchWords`` names the one they were built with; while a rebuild runs it
    names none). With no row every index row was written by this version."""
    return (connection.vendor == "postgresql"
            and not SearchWords.objects.exclude(fingerprint=vocabulary().fingerprint).exists())


def _words_built(fingerprint: str) -> None:
    SearchWords.objects.all().delete()
    SearchWords.objects.create(fingerprint=fingerprint, built_at=timezone.now())


def index_words_rebuild(*, actor: User | None = None) -> int:
    """PostgreSQL: the word lists of every index row again, in batches (after PyThaiNLP's word list
    changed); search uses the trigram index alone until the last batch is written."""
    if connection.vendor != "postgresql":
        return 0
    _words_built("")  # being rebuilt: search reads the trigram index alone meanwhile
    done = last = 0
    while True:
        rows = list(LetterIndex.objects.filter(letter_id__gt=last).order_by("letter_id")
                    .values_list("letter_id", "text")[:WORDS_BATCH])
        if not rows:
            break
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(WORDS_UPDATE_SQL, [(text_words(text), pk) for pk, text in rows])
        done += len(rows)
        last = rows[-1][0]
    with transaction.atomic():
        _words_built(vocabulary().fingerprint)
        audit_record(actor=actor, action="search.words_rebuilt", object_type="records.letterindex",
                     summary=f"จัดทำรายการคำของดัชนีค้นหาใหม่ {done} ฉบับ",
                     data={"letters": done, "fingerprint": vocabulary().fingerprint})
    return done


def letter_index(*, letter: Letter) -> LetterIndex:
    """Index a letter's metadata and the text layer of its files now; pages that are images are
    left for the background OCR run (``index_letters``). Call it after the letter's transaction
    commits: ``transaction.on_commit(lambda: letter_index(letter=letter))``."""
    return _index_write(letter, _extract(letter, ocr=False))


def letter_index_metadata_only(*, letter: Letter) -> LetterIndex:
    """Index a letter's metadata alone, without its files' content (destruction removed the files):
    every derived column (text, sealed text, words) is written by the one path that writes them."""
    return _index_write(letter, _Extracted(text="", needs_ocr=False, errors=[]))


def letter_index_ocr(*, letter: Letter) -> LetterIndex:
    """Index a letter including OCR of its scanned pages (slow: run from ``index_letters``)."""
    return _index_write(letter, _extract(letter, ocr=True))


@dataclass(frozen=True)
class IndexRun:
    indexed: int
    ocr_done: int
    errors: int


def letters_index_pending(
    *, actor: User | None = None, reindex_all: bool = False, limit: int | None = None
) -> IndexRun:
    """Index letters that have no index row (or all), then OCR the letters waiting for it."""
    missing = Letter.objects.order_by("pk")
    if not reindex_all:
        missing = missing.filter(search_index__isnull=True)
    indexed = errors = ocr_done = 0
    for letter in missing.iterator(chunk_size=500) if limit is None else missing[:limit]:
        if letter_index(letter=letter).state == LetterIndex.State.ERROR:
            errors += 1
        indexed += 1
    pending = Letter.objects.filter(search_index__state=LetterIndex.State.PENDING_OCR).order_by("pk")
    for letter in pending if limit is None else pending[:limit]:
        if letter_index_ocr(letter=letter).state == LetterIndex.State.ERROR:
            errors += 1
        ocr_done += 1
    if indexed or ocr_done:
        with transaction.atomic():
            if reindex_all and limit is None and connection.vendor == "postgresql":
                _words_built(vocabulary().fingerprint)  # every row's words were written with this dictionary
            audit_record(
                actor=actor,
                action="search.indexed",
                object_type="records.letterindex",
                summary=f"จัดทำดัชนีค้นหา {indexed} ฉบับ แปลงภาพเป็นข้อความ {ocr_done} ฉบับ",
                data={"indexed": indexed, "ocr": ocr_done, "errors": errors, "all": reindex_all},
            )
    return IndexRun(indexed=indexed, ocr_done=ocr_done, errors=errors)
