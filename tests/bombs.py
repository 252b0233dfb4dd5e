"""Decompression bombs for the tests: `size` zero bytes in gzip, zlib ("deflate") or raw deflate.

Compressing a GiB of zeros costs about 3 s of CPU at level 9. A bomb is built instead from one
compressed MiB, flushed with `Z_FULL_FLUSH` (so it depends on nothing before it) and repeated: the
same ~1 KiB per MiB as level 9 gives, a valid stream with the right header and checksum, in a
fraction of the time.
"""

from __future__ import annotations

import struct
import zlib

MiB = 1024 * 1024
_ZEROS = bytes(MiB)


def zeros_bomb(size: int, encoding: str) -> bytes:
    """`size` (a multiple of 1 MiB) zero bytes compressed as `encoding`: gzip, deflate (zlib) or raw-deflate."""
    if size % MiB:
        raise ValueError("size must be a multiple of 1 MiB")
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = packer.compress(_ZEROS) + packer.flush(zlib.Z_FULL_FLUSH)
    raw = block * (size // MiB) + zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()  # the final (empty) block
    if encoding == "raw-deflate":
        return raw
    if encoding == "deflate":
        adler = 1
        for _ in range(size // MiB):
            adler = zlib.adler32(_ZEROS, adler)
        return b"\x78\xda" + raw + struct.pack(">I", adler)
    if encoding == "gzip":
        crc = 0
        for _ in range(size // MiB):
            crc = zlib.crc32(_ZEROS, crc)
        header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # deflate, no name, mtime 0, best compression, unknown OS
        return header + raw + struct.pack("<II", crc, size & 0xFFFFFFFF)
    raise ValueError(f"unknown encoding {encoding!r}")
