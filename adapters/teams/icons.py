"""The Teams app icons, drawn with zlib/struct only: ``python -m adapters.teams.icons`` rewrites them.

Teams wants ``color.png`` 192x192 (full colour) and ``outline.png`` 32x32 (white on transparent).
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

MANIFEST_DIR = Path(__file__).resolve().parent / "manifest"
ACCENT = (0x46, 0x4E, 0xB8)  # also manifest.json's accentColor
WHITE = (255, 255, 255)

Pixel = tuple[int, int, int, int]


def png(width: int, height: int, pixels: list[list[Pixel]]) -> bytes:
    raw = b"".join(b"\x00" + b"".join(struct.pack("BBBB", *px) for px in row) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR; raises ValueError for anything else."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _in_letter_k(x: float, y: float) -> bool:
    """A bold "k" in the unit square (stem + two diagonal arms)."""
    if 0.28 <= x <= 0.42 and 0.18 <= y <= 0.82:
        return True
    arm = 0.09
    upper = abs((x - 0.42) - (0.5 - y) * 0.9) < arm and 0.42 <= x <= 0.72 and 0.2 <= y <= 0.52
    lower = abs((x - 0.42) - (y - 0.5) * 0.9) < arm and 0.42 <= x <= 0.74 and 0.48 <= y <= 0.82
    return upper or lower


def draw(size: int, *, outline: bool) -> bytes:
    rows = []
    for j in range(size):
        row: list[Pixel] = []
        for i in range(size):
            x, y = (i + 0.5) / size, (j + 0.5) / size
            if _in_letter_k(x, y):
                row.append((*WHITE, 255))
            elif outline:
                row.append((0, 0, 0, 0))
            else:
                row.append((*ACCENT, 255))
        rows.append(row)
    return png(size, size, rows)


def write_icons(directory: Path = MANIFEST_DIR) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "color.png").write_bytes(draw(192, outline=False))
    (directory / "outline.png").write_bytes(draw(32, outline=True))


if __name__ == "__main__":
    write_icons()
