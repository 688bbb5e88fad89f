"""The .docx zip, written in one pass from parts that may already be deflated.

A large report's document.xml (and a draft's comments.xml) is deflated as it
is written, so the package never holds it uncompressed: about 35 MB of XML
for 50,000 entries becomes 4 MB. Python's zipfile cannot take data that is
already compressed, so the zip is laid out here, field for field as zipfile
writes it to a seekable file (no data descriptors, no zip64), which keeps the
bytes of a report the same as before for the same inputs and timestamp.

Why not zipfile, streaming document.xml into `ZipFile.open(name, "w")`: it
writes entries in order, and [Content_Types].xml, which python-docx saves
first, is known only once the body is written (a header, a footer or a
draft's comments add parts). So zipfile could only deflate the body after
the fact, on the render's own thread: measured on 50,000 entries (34 MB of
XML), that thread then spent 5.0 s of CPU instead of 4.0 to 4.4 s, where
here the deflating runs on another core while the body is built. The same
bytes come out either way.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from mbr.errors import UsageError

_VERSION = 20  # zipfile's DEFAULT_VERSION: what deflate needs to extract
_SYSTEM = zipfile.ZipInfo().create_system  # the "made by" system, as zipfile records it
_DEFLATED = 8
_UTF8_NAME = 1 << 11
_LIMIT = (1 << 31) - 1  # beyond this zipfile would need zip64, which it does not use here
_PERMISSIONS = 0o644 << 16
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
# Bytes handed to the deflate thread at a time. Each hand-off makes the two
# threads pass the GIL a few times, and a thread asking for it may wait out
# the interpreter's switch interval (5 ms): a few large hand-offs, not many
# small ones.
_HAND_OFF = 1 << 20
_PENDING = 2  # hand-offs waiting for the thread before the writer waits too


def _compressor() -> zlib._Compress:
    # What zipfile uses for ZIP_DEFLATED at the default level: raw deflate.
    return zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)


@dataclass(frozen=True)
class Deflated:
    """One part's bytes as stored in the zip."""

    chunks: list[bytes]  # the raw deflate stream, in pieces (never joined: one copy fewer)
    crc: int
    size: int  # uncompressed

    @property
    def compressed_size(self) -> int:
        return sum(map(len, self.chunks))

    @classmethod
    def of(cls, data: bytes) -> Deflated:
        compressor = _compressor()
        return cls([compressor.compress(data), compressor.flush()], zlib.crc32(data), len(data))


class DeflateStream:
    """Bytes deflated as they are written; `finish()` gives the Deflated part.

    zlib and crc32 release the GIL, so with `background` the compression of
    one chunk runs on another core while the caller builds the next. Chunks
    are deflated strictly in order (one worker thread), and deflate's output
    does not depend on how its input is split, so the result is the same
    bytes either way.
    """

    def __init__(self, *, background: bool = False) -> None:
        self._compressor = _compressor()
        self._compressed: list[bytes] = []
        self._crc = 0
        self._size = 0
        self._executor = ThreadPoolExecutor(1, "mbr-deflate") if background else None
        self._pending: deque[Future[None]] = deque()
        self._buffer: list[bytes] = []  # written, not yet handed to the thread
        self._buffered = 0

    def write(self, data: bytes) -> None:
        self._size += len(data)
        if self._executor is None:
            self._deflate(data)
            return
        self._buffer.append(data)
        self._buffered += len(data)
        if self._buffered >= _HAND_OFF:
            self._hand_off()

    def _hand_off(self) -> None:
        if self._executor is None or not self._buffer:
            return
        data = b"".join(self._buffer)
        self._buffer.clear()
        self._buffered = 0
        self._pending.append(self._executor.submit(self._deflate, data))
        while len(self._pending) > _PENDING:  # bounds the memory held by waiting hand-offs
            self._pending.popleft().result()

    def _deflate(self, data: bytes) -> None:
        self._crc = zlib.crc32(data, self._crc)
        self._compressed.append(self._compressor.compress(data))

    def finish(self) -> Deflated:
        self._hand_off()
        self.close()
        self._compressed.append(self._compressor.flush())
        chunks, self._compressed = self._compressed, []
        return Deflated(chunks, self._crc, self._size)

    def close(self) -> None:
        """Wait for the chunks in flight and stop the thread (also on errors)."""
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=True, cancel_futures=True)
                self._executor = None


def zip_parts(parts: Iterable[tuple[str, Deflated]], date_time: tuple[int, ...]) -> bytes:
    """The zip holding `parts` in order, every entry dated `date_time` (from 1980)."""
    year, month, day, hour, minute, second = date_time[:6]
    dos_date = (year - 1980) << 9 | month << 5 | day
    dos_time = hour << 11 | minute << 5 | second // 2
    output = io.BytesIO()
    central: list[bytes] = []
    for name, part in parts:
        offset = output.tell()
        compressed_size = part.compressed_size
        if part.size > _LIMIT or compressed_size > _LIMIT or offset > _LIMIT:
            raise UsageError(
                f"the report is too large for a .docx: {name} would be over 2 GB",
                hint="compile a shorter period or fewer sources into one report",
            )
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), _UTF8_NAME
        output.write(
            _LOCAL.pack(
                b"PK\003\004", _VERSION, 0, flags, _DEFLATED, dos_time, dos_date,
                part.crc, compressed_size, part.size, len(encoded), 0,
            )
        )
        output.write(encoded)
        for chunk in part.chunks:
            output.write(chunk)
        central.append(
            _CENTRAL.pack(
                b"PK\001\002", _VERSION, _SYSTEM, _VERSION, 0, flags, _DEFLATED, dos_time,
                dos_date, part.crc, compressed_size, part.size, len(encoded), 0, 0, 0, 0,
                _PERMISSIONS, offset,
            )
            + encoded
        )
    start = output.tell()
    for record in central:
        output.write(record)
    size = output.tell() - start
    output.write(_END.pack(b"PK\005\006", 0, 0, len(central), len(central), size, start, 0))
    return output.getvalue()
