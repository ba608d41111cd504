"""Dictionary words inside Thai text, as small integers for an inverted index (no Django).

PostgreSQL's trigram index cannot tell a match from a letter that merely holds the word's
trigrams somewhere (Thai trigrams are common), so a rare word re-read 100,000+ candidate rows at a
million letters. This index records, for every letter, each word of the Thai dictionary (PyThaiNLP's,
the one the query segmenter uses; three characters or more) that occurs anywhere in its normalised
text, **as a substring**, not only where a segmenter would cut: "งบประมาณ" yields both
"งบประมาณ" and "ประมาณ". So "the text holds word w" is exactly what the index says, and a query
term that is a dictionary word has a complete and exact list of letters.

A query with a term that is not a dictionary word (a name, part of a word) is left to the trigram
index: narrowing such a term by the words inside it was measured slower than pg_trgm, since every
letter holding the inner word is fetched.

Words are stored as 32-bit hashes: a collision can only add a candidate, never lose one, and every
candidate is checked against the query text itself.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

from pythainlp.corpus import thai_words

from saraban.records.textnorm import MIN_INDEXED_TERM, normalize

KEY_CHARS = MIN_INDEXED_TERM  # words are looked up by their first three characters


@dataclass(frozen=True)
class Vocabulary:
    hashes: dict[str, int]
    lengths: dict[str, tuple[int, ...]]  # first three characters -> the lengths of words starting so
    fingerprint: str  # changes with the word list: the stored index is then out of date


def word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big", signed=True)


@functools.cache
def vocabulary() -> Vocabulary:
    words = sorted({w for w in (normalize(w) for w in thai_words()) if len(w) >= MIN_INDEXED_TERM and " " not in w})
    lengths: dict[str, set[int]] = {}
    for word in words:
        lengths.setdefault(word[:KEY_CHARS], set()).add(len(word))
    digest = hashlib.sha256("\n".join(words).encode()).hexdigest()[:32]
    return Vocabulary(
        hashes={w: word_hash(w) for w in words},
        lengths={key: tuple(sorted(ls)) for key, ls in lengths.items()},
        fingerprint=f"thai-words-{len(words)}-{digest}",
    )


def _words_in(text: str) -> set[str]:
    vocab = vocabulary()
    found: set[str] = set()
    for i in range(len(text) - KEY_CHARS + 1):
        lengths = vocab.lengths.get(text[i:i + KEY_CHARS])
        if lengths:
            for n in lengths:
                word = text[i:i + n]
                if word in vocab.hashes:
                    found.add(word)
    return found


def text_words(text: str) -> list[int]:
    """The hashes of every dictionary word occurring in normalised ``text``, sorted, distinct."""
    hashes = vocabulary().hashes
    return sorted({hashes[w] for w in _words_in(text)})


def word_hashes(terms: list[str]) -> list[int] | None:
    """The hashes of the query terms (normalised) when every one is a dictionary word, else None."""
    hashes = vocabulary().hashes
    if not all(term in hashes for term in terms):
        return None
    return [hashes[term] for term in terms]
