"""Normalising Thai text and queries for substring search (no Django).

Thai is written without spaces between words, so a word is found as a substring of the
normalised text. Queries are cut into words with PyThaiNLP's newmm so that each word may
appear anywhere ("ประชุมงบประมาณ" finds "...ประชุมคณะกรรมการพิจารณางบประมาณ").
"""

from __future__ import annotations

import re
import unicodedata

from pythainlp.tokenize import word_tokenize

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_WORD = re.compile(r"\w", re.UNICODE)
_THAI = re.compile("[\u0e00-\u0e7f]")
_THAI_DIGIT = re.compile("[\u0e50-\u0e59]")
# The trigram indexes of both databases need at least three characters to use the index.
MIN_INDEXED_TERM = 3


def normalize(text: str) -> str:
    """NFC, lower case, Arabic digits, single spaces."""
    text = unicodedata.normalize("NFC", text)
    if _THAI_DIGIT.search(text):  # translate() is slow on Thai text: a third of a search's scan of secret letters
        text = text.translate(THAI_DIGITS)
    text = text.lower()
    # Sara am typed or read (OCR, some PDF text layers) as nikhahit + sara aa.
    text = text.replace("\u0e4d\u0e32", "\u0e33")
    return " ".join(text.split())  # single spaces; faster than a regular expression on long text


def query_terms(query: str) -> list[str]:
    """The words a match must contain. Words shorter than three characters are joined to the
    next word of the same run, since the user typed them together."""
    terms: list[str] = []
    for run in normalize(query).split(" "):
        if not run:
            continue
        if not _THAI.search(run):
            terms.append(run)  # a reference number or a Latin word: keep it whole
            continue
        words = [w for w in word_tokenize(run, engine="newmm", keep_whitespace=False) if _WORD.search(w)]
        pending = ""
        for word in words:
            pending += word
            if len(pending) >= MIN_INDEXED_TERM:
                terms.append(pending)
                pending = ""
        if pending:
            if terms and len(words) > 1:
                terms[-1] += pending
            else:
                terms.append(pending)
    return list(dict.fromkeys(terms))
