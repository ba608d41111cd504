"""The opened search text of secret letters, kept in this process for a while.

A cleared user's search matches the words of a query against the sealed search text of the newest
secret letters they may open (``selectors.secret_letters_matching``). Opening means unwrapping each
letter's data key and decrypting its text: two AES-GCM operations a letter and the sealed blobs read
from the database, about half of a search's time. The texts opened are therefore kept here, in
memory only, for ``SARABAN_SEARCH_OPENED_TTL`` seconds and at most ``SARABAN_SEARCH_OPENED_CHARS``
characters (least recently used first out).

Each text is kept under its letter id and the nonce of the sealed blob it came from: every sealing
draws a new random nonce, so a re-indexed, destroyed or replaced row never finds the text of the
blob it held before, and a blob copied to another letter's row is looked up under that row's id and
opened (and refused) there. The texts only answer whether a letter holds a word: which letters a
user may see is decided by the database query and the access rule each time.

Nothing here reaches the disk or the database. The process that keeps these texts also holds the
master key that opens every secret letter, so keeping them adds no reader who could not already
open the letters; the expiry bounds how long a destroyed letter's text stays in memory.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from django.conf import settings


class OpenedTexts:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._texts: OrderedDict[int, tuple[bytes, str, float]] = OrderedDict()
        self._chars = 0
        self._swept = time.monotonic()

    def get(self, letter_id: int, nonce: bytes) -> str | None:
        """The text opened from the blob with this nonce, or None (not kept, expired, another blob)."""
        with self._lock:
            entry = self._texts.get(letter_id)
            if entry is None:
                return None
            kept_nonce, text, expires = entry
            if kept_nonce != nonce or expires < time.monotonic():
                self._drop(letter_id)
                return None
            self._texts.move_to_end(letter_id)
            return text

    def put(self, letter_id: int, nonce: bytes, text: str) -> None:
        limit: int = settings.SARABAN_SEARCH_OPENED_CHARS
        if len(text) > limit:
            return
        with self._lock:
            self._drop(letter_id)
            self._texts[letter_id] = (nonce, text, time.monotonic() + settings.SARABAN_SEARCH_OPENED_TTL)
            self._chars += len(text)
            while self._chars > limit:
                self._drop(next(iter(self._texts)))

    def expire(self, *, every: float = 0.0) -> int:
        """Forget the expired texts now, or (``every``: a search on its way) if the last sweep is at
        least that many seconds old; returns how many."""
        now = time.monotonic()
        if now - self._swept < every:
            return 0
        with self._lock:
            self._swept = now
            old = [pk for pk, (_, _, expires) in self._texts.items() if expires < now]
            for pk in old:
                self._drop(pk)
        return len(old)

    def clear(self) -> None:
        with self._lock:
            self._texts.clear()
            self._chars = 0

    def __len__(self) -> int:
        return len(self._texts)

    def _drop(self, letter_id: int) -> None:
        entry = self._texts.pop(letter_id, None)
        if entry is not None:
            self._chars -= len(entry[1])


opened_texts = OpenedTexts()
