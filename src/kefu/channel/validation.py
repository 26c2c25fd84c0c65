"""Text checks shared by messages, names and comments: a refusal says which field and why."""

from __future__ import annotations

import re
import unicodedata

from kefu.core.errors import ApplicationError

MAX_MESSAGE_CHARS = 5000
_KEY = re.compile(r"^[A-Za-z0-9._:\-]{1,100}$")
_ALLOWED_CONTROLS = {"\n", "\r", "\t"}


def clean_text(text: object, *, field: str, limit: int, allow_empty: bool = False) -> str:
    """The text exactly as sent (HTML included: it is escaped wherever shown), or a refusal."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise ApplicationError("内容必须是文字", extra={"field": field})
    if not allow_empty and not text.strip():
        raise ApplicationError("内容不能为空", extra={"field": field})
    if len(text) > limit:
        raise ApplicationError(f"内容太长：{len(text)} 字，最多 {limit} 字", extra={"field": field, "limit": limit})
    bad = next(
        (ch for ch in text if unicodedata.category(ch) in ("Cc", "Cs") and ch not in _ALLOWED_CONTROLS),
        None,
    )
    if bad is not None:
        raise ApplicationError(
            f"内容含有不可见的控制字符 U+{ord(bad):04X}，请删除后再发送",
            extra={"field": field, "char": f"U+{ord(bad):04X}"},
        )
    return text


def clean_key(key: object) -> str:
    if not isinstance(key, str) or not _KEY.match(key):
        raise ApplicationError(
            "每次发送都要带 Idempotency-Key（1–100 个字母、数字或 . _ : -）", extra={"field": "Idempotency-Key"}
        )
    return key
