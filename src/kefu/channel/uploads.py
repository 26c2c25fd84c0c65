"""Upload checks: size first, then the type from the bytes themselves (never from the name or the
client's Content-Type), then images must really decode. A refusal names what was wrong."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from PIL import Image

from kefu.core.errors import ApplicationError

ALLOWED = {
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
    "image/gif": {".gif"},
    "image/webp": {".webp"},
    "application/pdf": {".pdf"},
}
IMAGE_TYPES = {t for t in ALLOWED if t.startswith("image/")}
MAX_IMAGE_PIXELS = 40_000_000


@dataclass(frozen=True)
class CheckedUpload:
    content: bytes
    sha256: str
    size: int
    content_type: str
    name: str


def max_bytes() -> int:
    return int(getattr(settings, "KEFU_CHANNEL_MAX_UPLOAD_BYTES", 5 * 1024 * 1024))


def _clean_name(name: str) -> str:
    base = PurePath(name.replace("\\", "/")).name.strip()
    base = "".join(ch for ch in base if ch.isprintable())
    return base[:200] or "附件"


def check(*, content: bytes, name: str) -> CheckedUpload:
    limit = max_bytes()
    if not content:
        raise ApplicationError("文件是空的", extra={"field": "file"})
    if len(content) > limit:
        raise ApplicationError(
            f"文件太大：{len(content) / 1024 / 1024:.1f} MB，上限 {limit / 1024 / 1024:.1f} MB",
            extra={"field": "file", "size": len(content), "limit": limit},
        )
    name = _clean_name(name)
    kind = filetype.guess(content)
    sniffed = kind.mime if kind else "unknown"
    if sniffed not in ALLOWED:
        raise ApplicationError(
            f"不支持的文件类型（按内容识别为 {sniffed}）：只能发送 JPG、PNG、GIF、WEBP 图片或 PDF",
            extra={"field": "file", "detected": sniffed},
        )
    suffix = PurePath(name).suffix.lower()
    if suffix and suffix not in ALLOWED[sniffed]:
        raise ApplicationError(
            f"文件名 {name} 与内容不符（内容是 {sniffed}）", extra={"field": "file", "detected": sniffed}
        )
    if sniffed in IMAGE_TYPES:
        _verify_image(content)
    return CheckedUpload(
        content=content, sha256=hashlib.sha256(content).hexdigest(), size=len(content), content_type=sniffed, name=name
    )


def _verify_image(content: bytes) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise ApplicationError("图片尺寸过大", extra={"field": "file"})
                image.verify()
    except ApplicationError:
        raise
    except Exception as exc:  # Pillow raises many kinds for broken or hostile files
        raise ApplicationError("图片已损坏或不是真正的图片", extra={"field": "file"}) from exc
