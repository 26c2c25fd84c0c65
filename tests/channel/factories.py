"""Small builders for channel tests (kept free of fixtures so the access matrix can import them)."""

from __future__ import annotations

import io

from PIL import Image


def png_bytes(color: str = "red", size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()
