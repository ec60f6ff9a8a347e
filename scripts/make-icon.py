"""Draws media/icon.png (128x128): three timeline lanes of overlapping spans, the product's idea in one picture.

Standard library only, so the icon can be redrawn anywhere: python3 scripts/make-icon.py
"""
import struct
import zlib
from pathlib import Path

SIZE = 128
BACKGROUND = (30, 41, 59)
LANES = [  # (y, height, [(x0, x1, colour)])
    (30, 16, [(18, 70, (56, 189, 248)), (78, 110, (56, 189, 248))]),
    (56, 16, [(30, 92, (250, 204, 21))]),
    (82, 16, [(18, 44, (74, 222, 128)), (52, 110, (74, 222, 128))]),
]
RADIUS = 22


def inside_rounded_square(x: int, y: int) -> bool:
    cx = min(max(x, RADIUS), SIZE - 1 - RADIUS)
    cy = min(max(y, RADIUS), SIZE - 1 - RADIUS)
    return (x - cx) ** 2 + (y - cy) ** 2 <= RADIUS ** 2


def pixel(x: int, y: int) -> tuple:
    if not inside_rounded_square(x, y):
        return (0, 0, 0, 0)
    for top, height, spans in LANES:
        if top <= y < top + height:
            for x0, x1, colour in spans:
                if x0 <= x < x1:
                    return (*colour, 255)
    # A thin axis under the lanes.
    if 106 <= y < 108 and 18 <= x < 110:
        return (148, 163, 184, 255)
    return (*BACKGROUND, 255)


def png(width: int, height: int, rows: list) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(value for px in row for value in px) for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    rows = [[pixel(x, y) for x in range(SIZE)] for y in range(SIZE)]
    target = Path(__file__).resolve().parent.parent / "media" / "icon.png"
    target.write_bytes(png(SIZE, SIZE, rows))
    print(f"wrote {target}")
