"""A minimal streaming tar writer whose bytes are those of ``webdataset.TarWriter``.

``webdataset.TarWriter`` (tarfile in stream mode, PAX format) builds every member header
through ``TarInfo.tobuf`` and copies the data in 10 KB pieces. On a 2-core machine that
Python work competes with the decoding workers for every sample written. Here a member
is a 512-byte header built with one ``struct.pack`` plus the data written in one piece,
and the archive ends as tarfile ends a stream: two zero blocks, padded to a 10 KB record.
Names that do not fit a plain header (over 100 bytes, or not ASCII) take tarfile's own
path, so the output is byte for byte the same in every case (``tests/test_tarstream.py``).
"""

from __future__ import annotations

import struct
import tarfile
from typing import Protocol

BLOCK = tarfile.BLOCKSIZE  # 512
RECORD = tarfile.RECORDSIZE  # 20 blocks: tarfile pads a closed stream to a whole record
_HEADER = struct.Struct("100s8s8s8s12s12s8sc100s8s32s32s8s8s155s12x")
_ZERO_OCTAL_8 = b"0000000\0"


class Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


def _octal(value: int, width: int) -> bytes:
    return b"%0*o\0" % (width - 1, value)


class TarStream:
    """Regular-file members with fixed owner, group, mode and mtime, written in order to ``sink``."""

    def __init__(self, sink: Writable, user: str, group: str, mode: int = 0o444, mtime: int = 0) -> None:
        self._sink = sink
        self._user = user.encode("ascii")
        self._group = group.encode("ascii")
        self._mode = mode & 0o7777
        self._mtime = mtime
        self._mode_field = _octal(self._mode, 8)
        self._mtime_field = _octal(mtime, 12)
        self.offset = 0
        self.closed = False

    def add(self, name: str, data: bytes) -> None:
        header = self._header(name, len(data))
        padding = -len(data) % BLOCK
        self._sink.write(header)
        self._sink.write(data)
        if padding:
            self._sink.write(bytes(padding))
        self.offset += len(header) + len(data) + padding

    def add_serialized(self, data: bytes) -> None:
        """Whole members (headers, data, padding) that ``add`` wrote to another stream."""
        self._sink.write(data)
        self.offset += len(data)

    def close(self) -> None:
        if self.closed:
            return
        end = bytes(2 * BLOCK)
        self.offset += len(end)
        self._sink.write(end + bytes(-self.offset % RECORD))
        self.offset += -self.offset % RECORD
        self.closed = True

    def _header(self, name: str, size: int) -> bytes:
        encoded = name.encode("utf-8")
        if len(encoded) > 100 or not name.isascii() or size >= 8**11 or not 0 <= self._mtime < 8**11:
            return self._tarfile_header(name, size)  # needs a PAX extended header: let tarfile write it
        header = bytearray(
            _HEADER.pack(
                encoded,
                self._mode_field,
                _ZERO_OCTAL_8,  # uid
                _ZERO_OCTAL_8,  # gid
                _octal(size, 12),
                self._mtime_field,
                b" " * 8,  # the checksum is computed with its own field as spaces
                tarfile.REGTYPE,
                b"",
                tarfile.POSIX_MAGIC,
                self._user,
                self._group,
                b"",  # devmajor: tarfile leaves both empty for regular files
                b"",  # devminor
                b"",
            )
        )
        header[148:155] = b"%06o\0" % sum(header)
        return bytes(header)

    def _tarfile_header(self, name: str, size: int) -> bytes:
        info = tarfile.TarInfo(name)
        info.size = size
        info.mtime = self._mtime
        info.mode = self._mode
        info.uname = self._user.decode("ascii")
        info.gname = self._group.decode("ascii")
        return info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")
