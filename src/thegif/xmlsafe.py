"""Hardened XML reading.

Every XML document from outside goes through :func:`read_xml`:

* lxml with ``resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
  huge_tree=False``; any DOCTYPE is refused the moment the parser sees it, so neither external
  entities (XXE) nor entity-expansion bombs ("billion laughs") get anywhere;
* limits on total bytes, element depth and element count;
* the misspelled reusable-entity namespace is rewritten to the correct one while parsing;
* base64 content of the file elements (``MainLetterBinaryObject``, ``AttachmentBinaryObject``) is
  decoded as it streams in and written to temporary files with its SHA-256, so the tree stays small
  and a 50 MB letter is never held in memory as text, tree and bytes at once.
"""

from __future__ import annotations

import binascii
import contextlib
import hashlib
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from lxml import etree  # type: ignore[import-untyped]  # no stubs pinned for lxml

from thegif import ns
from thegif.errors import Base64Error, ForbiddenXMLError, MalformedXMLError, TooLargeError, XMLLimitError

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
BINARY_TAGS = frozenset({ns.ram("MainLetterBinaryObject"), ns.ram("AttachmentBinaryObject")})
_CHUNK = 64 * 1024
_WHITESPACE_CHARS = (" ", "\n", "\r", "\t")
_WHITESPACE_BYTES = b" \t\r\n"


@dataclass(frozen=True)
class Limits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = 64
    max_elements: int = 100_000


def hardened_parser() -> etree.XMLParser:
    """A tree-building parser with every dangerous feature off (for trusted local files too)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
        collect_ids=False,
    )


@dataclass
class SpooledBinary:
    """Decoded content of one file element, kept in a temporary file."""

    path: Path
    size: int
    sha256: str

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()


@dataclass
class ParsedXML:
    """A parsed document and the files its binary elements held.

    Use as a context manager (or call :meth:`cleanup`) so that temporary files that nobody moved
    elsewhere are removed.
    """

    root: etree._Element
    binaries: dict[etree._Element, SpooledBinary] = field(default_factory=dict)

    def cleanup(self) -> None:
        for spooled in self.binaries.values():
            with contextlib.suppress(FileNotFoundError):
                spooled.path.unlink()

    def __enter__(self) -> ParsedXML:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()


class _Base64Sink:
    """Decodes base64 text chunk by chunk into a temporary file, hashing as it goes."""

    def __init__(self, spool_dir: Path | None, max_bytes: int) -> None:
        fd, name = tempfile.mkstemp(dir=spool_dir, prefix="ecms-", suffix=".part")
        self.path = Path(name)
        self._file: IO[bytes] = os.fdopen(fd, "wb")
        self._hash = hashlib.sha256()
        self._size = 0
        self._max = max_bytes
        self._pending = b""
        self._buf: list[str] = []
        self._buflen = 0

    def write(self, text: str) -> None:
        self._buf.append(text)
        self._buflen += len(text)
        if self._buflen >= _CHUNK:
            self._flush(final=False)

    def _flush(self, *, final: bool) -> None:
        joined = "".join(self._buf)
        self._buf.clear()
        self._buflen = 0
        try:
            data = self._pending + joined.encode("ascii")
        except UnicodeEncodeError as exc:  # characters outside ASCII are never base64
            raise Base64Error() from exc
        if any(char in joined for char in _WHITESPACE_CHARS):
            # line-wrapped base64 (most clients wrap at 76 characters); bytes.translate is
            # about twice as fast as str.translate, and the check above spares unwrapped text
            data = data.translate(None, _WHITESPACE_BYTES)
        if final:
            if len(data) % 4:
                raise Base64Error("ความยาวข้อมูล base64 ไม่ถูกต้อง")
            self._pending = b""
        else:
            cut = len(data) - len(data) % 4
            data, self._pending = data[:cut], data[cut:]
        if not data:
            return
        try:
            raw = binascii.a2b_base64(data, strict_mode=True)
        except binascii.Error as exc:
            raise Base64Error() from exc
        self._size += len(raw)
        if self._size > self._max:
            raise TooLargeError(f"ไฟล์มีขนาดเกิน {self._max} ไบต์")
        self._hash.update(raw)
        self._file.write(raw)

    def close(self) -> SpooledBinary:
        self._flush(final=True)
        self._file.close()
        return SpooledBinary(path=self.path, size=self._size, sha256=self._hash.hexdigest())

    def abort(self) -> None:
        self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


class _SafeTarget:
    """Parser target: builds the tree, enforces limits, refuses DTDs, spools binaries."""

    def __init__(self, limits: Limits, spool_dir: Path | None, binary_tags: frozenset[str]) -> None:
        self.reset(limits, spool_dir, binary_tags)

    def reset(self, limits: Limits, spool_dir: Path | None, binary_tags: frozenset[str]) -> None:
        """Ready for a new document (the parser that holds this target is reused, see read_xml)."""
        self._builder = etree.TreeBuilder()
        self._limits = limits
        self._spool_dir = spool_dir
        self._binary_tags = binary_tags
        self._depth = 0
        self._count = 0
        self._sink: _Base64Sink | None = None
        self.binaries: dict[etree._Element, SpooledBinary] = {}
        # lxml calls close() after a callback raised, and TreeBuilder.close() would then replace our
        # error with "missing end tags"; so the first error is kept here and raised again.
        self.error: Exception | None = None

    def _fail(self, error: Exception) -> Exception:
        if self.error is None:
            self.error = error
        return self.error

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise self._fail(ForbiddenXMLError())

    def start(self, tag: str, attrib: dict[str, str], nsmap: dict[str | None, str] | None = None) -> None:
        self._depth += 1
        self._count += 1
        if self._depth > self._limits.max_depth or self._count > self._limits.max_elements:
            raise self._fail(XMLLimitError())
        if self._sink is not None:
            raise self._fail(MalformedXMLError("element ไฟล์ต้องมีเฉพาะข้อความ base64"))
        tag = ns.normalise_tag(tag)
        if nsmap:
            # The parser reports a default namespace (xmlns="…") under the prefix "", which
            # TreeBuilder takes as an invalid prefix; lxml's own name for it is None.
            nsmap = {prefix or None: ns.NAMESPACE_ALIASES.get(uri, uri) for prefix, uri in nsmap.items()}
        attrs = {ns.normalise_tag(key): value for key, value in attrib.items()}
        self._builder.start(tag, attrs, nsmap)
        if tag in self._binary_tags:
            self._sink = _Base64Sink(self._spool_dir, self._limits.max_bytes)

    def data(self, text: str) -> None:
        if self._sink is not None:
            try:
                self._sink.write(text)
            except Exception as exc:
                raise self._fail(exc) from None
        else:
            self._builder.data(text)

    def end(self, tag: str) -> None:
        element = self._builder.end(ns.normalise_tag(tag))
        self._depth -= 1
        if self._sink is not None:
            sink, self._sink = self._sink, None
            try:
                self.binaries[element] = sink.close()
            except Exception as exc:
                sink.abort()
                raise self._fail(exc) from None

    def comment(self, text: str) -> None:
        """Comments are dropped."""

    def pi(self, target: str, data: str | None = None) -> None:
        """Processing instructions are dropped."""

    def close(self) -> etree._Element:
        if self.error is not None:
            raise self.error
        return self._builder.close()

    def abort(self) -> None:
        if self._sink is not None:
            self._sink.abort()
            self._sink = None
        for spooled in self.binaries.values():
            with contextlib.suppress(FileNotFoundError):
                spooled.path.unlink()


def _chunks(source: bytes | IO[bytes]) -> Iterator[bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        view = memoryview(source)
        for start in range(0, len(view), _CHUNK):
            yield bytes(view[start : start + _CHUNK])
        return
    while True:
        chunk = source.read(_CHUNK)
        if not chunk:
            return
        yield chunk


_local = threading.local()


def _target_parser(
    limits: Limits, spool_dir: Path | None, binary_tags: frozenset[str]
) -> tuple[etree.XMLParser, _SafeTarget]:
    """This thread's parser and target, reset for a new document, or new ones.

    lxml inspects the target's ``start`` signature whenever a parser with a Python target is made
    (``inspect.getfullargspec``, about a tenth of the cost of reading a small message), so a parser
    that closed cleanly is kept for the next document. It is taken out while in use, and one that
    saw an error is never put back: no state of a bad document reaches the next one.
    """
    cached: tuple[etree.XMLParser, _SafeTarget] | None = getattr(_local, "parser", None)
    _local.parser = None
    if cached is not None:
        parser, target = cached
        target.reset(limits, spool_dir, binary_tags)
        return parser, target
    target = _SafeTarget(limits, spool_dir, binary_tags)
    parser = etree.XMLParser(
        target=target,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        collect_ids=False,
    )
    return parser, target


def read_xml(
    source: bytes | IO[bytes],
    *,
    limits: Limits | None = None,
    spool_dir: Path | None = None,
    binary_tags: frozenset[str] = BINARY_TAGS,
) -> ParsedXML:
    """Parse untrusted XML safely (see the module docstring). Raises a ``ProtocolError``."""
    limits = limits or Limits()
    parser, target = _target_parser(limits, spool_dir, binary_tags)
    total = 0
    try:
        for chunk in _chunks(source):
            total += len(chunk)
            if total > limits.max_bytes:
                raise TooLargeError(f"ข้อความมีขนาดเกิน {limits.max_bytes} ไบต์")
            parser.feed(chunk)
        root: Any = parser.close()
    except (ForbiddenXMLError, XMLLimitError, TooLargeError, Base64Error, MalformedXMLError):
        target.abort()
        raise
    except etree.XMLSyntaxError as exc:
        target.abort()
        if target.error is not None:
            raise target.error from None
        message = str(exc)
        if "DOCTYPE" in message or "Entity" in message or "entity" in message:
            raise ForbiddenXMLError(message) from exc
        raise MalformedXMLError(f"XML ไม่ถูกต้อง: {message}") from exc
    except BaseException:
        target.abort()
        raise
    if not isinstance(root, etree._Element):
        target.abort()
        raise MalformedXMLError("ไม่มี element ราก")
    _local.parser = (parser, target)  # closed cleanly: the next document of this thread may reuse it
    return ParsedXML(root=root, binaries=target.binaries)


def parse_small(data: bytes, *, limits: Limits | None = None) -> etree._Element:
    """Parse a document that carries no files (responses, directory data, test fixtures)."""
    return read_xml(data, limits=limits, binary_tags=frozenset()).root
