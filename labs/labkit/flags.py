"""The 20 country codes of the flags labs and their flag images, generated so checks can compare bytes.

Each flag is a small, valid GIF89a of three colour stripes derived from the code with SHA-256, so the
same code gives the same bytes on every machine and every Python version.
"""
from __future__ import annotations

import functools
import hashlib
import struct
from typing import List, Tuple

POP20_CC: Tuple[str, ...] = tuple("CN IN US ID BR PK NG BD RU JP MX PH VN ET EG DE IR TR CD FR".split())

WIDTH = 48
HEIGHT = 32
_PALETTE_SIZE = 128          # 2 ** 7 entries, so every LZW code is exactly 8 bits wide
_MIN_CODE_SIZE = 7
_CLEAR = 1 << _MIN_CODE_SIZE
_END = _CLEAR + 1
# After a clear code the decoder's table starts at _END + 1 and widens codes to 9 bits when it reaches
# 256; 126 literals add 125 entries, which stays below that, so the stream never needs bit packing.
_LITERALS_PER_CLEAR = _PALETTE_SIZE - 2


def is_known(cc: str) -> bool:
    return cc.upper() in POP20_CC


def stripe_colours(cc: str) -> List[Tuple[int, int, int]]:
    digest = hashlib.sha256(cc.upper().encode("ascii")).digest()
    return [(digest[i], digest[i + 1], digest[i + 2]) for i in (0, 3, 6)]


def _pixels(cc: str) -> List[int]:
    vertical = hashlib.sha256(cc.upper().encode("ascii")).digest()[9] % 2 == 0
    pixels = []
    for y in range(HEIGHT):
        for x in range(WIDTH):
            position, extent = (x, WIDTH) if vertical else (y, HEIGHT)
            pixels.append(min(position * 3 // extent, 2))
    return pixels


def _image_data(pixels: List[int]) -> bytes:
    codes = bytearray()
    for start in range(0, len(pixels), _LITERALS_PER_CLEAR):
        codes.append(_CLEAR)
        codes.extend(pixels[start:start + _LITERALS_PER_CLEAR])
    codes.append(_END)
    blocks = bytearray([_MIN_CODE_SIZE])
    for start in range(0, len(codes), 255):
        chunk = codes[start:start + 255]
        blocks.append(len(chunk))
        blocks.extend(chunk)
    blocks.append(0)
    return bytes(blocks)


@functools.lru_cache(maxsize=None)
def gif_bytes(cc: str) -> bytes:
    """The exact bytes the flag server sends for country code `cc` (any case)."""
    palette = bytearray()
    for colour in stripe_colours(cc):
        palette.extend(colour)
    palette.extend(b"\x00" * (3 * _PALETTE_SIZE - len(palette)))
    # Global colour table present, 8-bit colour resolution, 2 ** (6 + 1) = 128 entries.
    screen = struct.pack("<HHBBB", WIDTH, HEIGHT, 0x80 | 0x70 | 0x06, 0, 0)
    descriptor = b"\x2c" + struct.pack("<HHHHB", 0, 0, WIDTH, HEIGHT, 0)
    return b"GIF89a" + screen + bytes(palette) + descriptor + _image_data(_pixels(cc)) + b"\x3b"


def looks_like_gif(data: bytes) -> bool:
    return data[:6] in (b"GIF87a", b"GIF89a") and data.endswith(b"\x3b")
