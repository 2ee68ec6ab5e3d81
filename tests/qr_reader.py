"""Reads a QR code as the console's scan page does in a browser without a BarcodeDetector for QR codes: with the
vendored jsQR (static/vendor/jsqr-1.4.0/jsQR.js), run by Node. Two sources: the PNG the emails attach (segno's
1-bit greyscale PNG, filters None and Up) and the inline SVG the pages show (segno's one stroked path of
horizontal runs, `M x y.5` then `h n` and `m dx dy`)."""

from __future__ import annotations

import base64
import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

JSQR = Path(__file__).resolve().parents[1] / "yoyaku" / "static" / "vendor" / "jsqr-1.4.0" / "jsQR.js"
NODE_READER = """
const jsQR = require(process.argv[1]);
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const read = JSON.parse(input).map((image) => {
    const found = jsQR(Uint8ClampedArray.from(Buffer.from(image.rgba, "base64")), image.width, image.height);
    return found ? found.data : null;
  });
  process.stdout.write(JSON.stringify(read));
});
"""


def read(*pictures: list[list[bool]]) -> list[str | None]:
    """The text jsQR reads from each picture (rows of dark = True), None where it finds no code; one Node run."""
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("Node is needed to run jsQR")
    images = []
    for pixels in pictures:
        rgba = b"".join(b"\x00\x00\x00\xff" if dark else b"\xff\xff\xff\xff" for row in pixels for dark in row)
        images.append({"width": len(pixels[0]), "height": len(pixels), "rgba": base64.b64encode(rgba).decode()})
    result = subprocess.run([node, "-e", NODE_READER, str(JSQR)], input=json.dumps(images), capture_output=True,
                            text=True, timeout=120, check=True)
    return json.loads(result.stdout)


def png_pixels(png: bytes) -> list[list[bool]]:
    """segno's PNG (bit depth 1, greyscale: 0 is dark) as rows of dark pixels."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    position, chunks, header = 8, [], None
    while position < len(png):
        (length,) = struct.unpack(">I", png[position:position + 4])
        kind, body = png[position + 4:position + 8], png[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert (depth, colour, interlace) == (1, 0, 0), header
    raw, stride = zlib.decompress(b"".join(chunks)), (width + 7) // 8
    rows, previous = [], bytes(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if kind == 2:  # Up
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
        else:
            assert kind == 0, kind
        previous = bytes(line)
        rows.append([not (line[x // 8] >> (7 - x % 8)) & 1 for x in range(width)])
    return rows


def svg_pixels(svg: str, *, scale: int = 4) -> list[list[bool]]:
    """segno's inline SVG as rows of dark pixels, `scale` pixels a module."""
    size = int(re.search(r'width="(\d+)"', svg).group(1))
    modules = size // int(re.search(r"scale\((\d+)\)", svg).group(1))
    path = re.search(r'<path [^>]*stroke="#000" d="([^"]+)"', svg).group(1)
    grid = [[False] * modules for _ in range(modules)]
    x = y = 0.0
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            for column in range(int(x), int(x) + int(a)):
                grid[int(y)][column] = True
            x += int(a)
    return [[dark for dark in row for _ in range(scale)] for row in grid for _ in range(scale)]
