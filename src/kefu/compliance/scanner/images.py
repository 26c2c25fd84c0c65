"""QR codes in uploaded images: a personal QR code sent as a picture is the classic way around a text filter.

OpenCV's QR detector (`opencv-python-headless`, no model download) finds and decodes every code; the
payload is judged like text, and links to a personal WeChat (u.wechat.com, weixin.qq.com/r/…, wxp://),
QQ (qm.qq.com) or Alipay (qr.alipay.com) account count as contact exchange. The caller keeps the image
as evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from kefu.compliance.scanner.decide import Match as TextMatch
from kefu.compliance.scanner.decide import ScanResult, Verdict, decide
from kefu.compliance.scanner.engine import Scanner
from kefu.compliance.scanner.frequency import GENERAL, SHOP_CHAT
from kefu.compliance.scanner.lexicon import (
    CONTACT_ALIPAY,
    CONTACT_CATEGORIES,
    CONTACT_QQ,
    CONTACT_QR,
    CONTACT_WECHAT,
    PRIVATE_TRANSFER,
)

_COMMON = frozenset(SHOP_CHAT + GENERAL)
_MAX_SIDE = 2000  # larger photos are scaled down first: QR modules stay readable, detection stays fast

# (pattern on the payload, categories): personal accounts and payment codes, not official pages
PERSONAL_LINKS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"u\.wechat\.com/", re.IGNORECASE), (CONTACT_WECHAT,)),
    (re.compile(r"weixin\.qq\.com/(?:r|g|q)/", re.IGNORECASE), (CONTACT_WECHAT,)),
    (re.compile(r"^weixin://", re.IGNORECASE), (CONTACT_WECHAT,)),
    (re.compile(r"^wxp://", re.IGNORECASE), (CONTACT_WECHAT, PRIVATE_TRANSFER)),  # personal payment code
    (re.compile(r"(?:qm|qun|jq)\.qq\.com/", re.IGNORECASE), (CONTACT_QQ,)),
    (re.compile(r"^mqqapi://", re.IGNORECASE), (CONTACT_QQ,)),
    (re.compile(r"qr\.alipay\.com/", re.IGNORECASE), (CONTACT_ALIPAY,)),
    (re.compile(r"^alipays?://", re.IGNORECASE), (CONTACT_ALIPAY,)),
)


@dataclass(frozen=True, slots=True)
class QRCode:
    payload: str
    corners: tuple[tuple[float, float], ...]  # in the image as given (before any scaling)
    result: ScanResult  # the payload judged like a message; matches are offsets in `payload`


@dataclass(frozen=True, slots=True)
class ImageScanResult:
    action: Verdict
    categories: tuple[str, ...]
    codes: tuple[QRCode, ...]
    undecoded: int  # codes found but not readable (damaged, too small): worth a human look

    @property
    def blocked(self) -> bool:
        return self.action == Verdict.BLOCK

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": str(self.action),
            "categories": list(self.categories),
            "codes": [{"payload": code.payload, **code.result.to_dict()} for code in self.codes],
            "undecoded": self.undecoded,
        }


def repair_payload(payload: str) -> str:
    """OpenCV hands back non-UTF-8 byte and Kanji-mode payloads as Latin-1; decode them as a person would.

    Chinese codes are UTF-8, GB18030 or (Kanji mode) Shift_JIS; the reading with the most common
    Chinese characters wins.
    """
    if not payload or payload.isascii() or any(ord(char) > 0xFF for char in payload):
        return payload
    raw = payload.encode("latin-1")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    readings = []
    for encoding in ("gb18030", "shift_jis"):
        try:
            readings.append(raw.decode(encoding))
        except UnicodeDecodeError:
            continue
    if not readings:
        return payload
    return max(readings, key=lambda text: sum(char in _COMMON for char in text))


def judge_payload(payload: str, *, scanner: Scanner) -> ScanResult:
    """A decoded QR payload judged like text, plus the personal-account links above."""
    matches = list(scanner.scan_text(payload).matches)
    for pattern, categories in PERSONAL_LINKS:
        found = pattern.search(payload)
        if found:
            for category in (*categories, CONTACT_QR):
                matches.append(TextMatch(start=0, end=len(payload), text=payload, category=category))
    if any(match.category in CONTACT_CATEGORIES for match in matches) and not any(
        match.category == CONTACT_QR for match in matches
    ):
        # a code that carries a phone number or an account is a contact card
        matches.append(TextMatch(start=0, end=len(payload), text=payload, category=CONTACT_QR))
    return decide(scanner.compiled, matches)


def _as_grey(image: bytes | np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    if isinstance(image, bytes | bytearray | memoryview):
        array = cv2.imdecode(np.frombuffer(image, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
        if array is None:
            raise ValueError("not an image OpenCV can read (PNG, JPEG, WebP, BMP …)")
        return array
    if image.ndim == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY if image.shape[2] == 3 else cv2.COLOR_BGRA2GRAY)
    return image


def _detect(grey: np.ndarray[Any, Any]) -> tuple[list[str], list[np.ndarray[Any, Any]]]:
    detector = cv2.QRCodeDetector()
    found, payloads, points, _ = detector.detectAndDecodeMulti(grey)
    if found and points is not None:
        return list(payloads), list(points)
    payload, single_points, _ = detector.detectAndDecode(grey)
    if single_points is not None:
        return [payload], [single_points.reshape(-1, 2)]
    return [], []


def scan_image(image: bytes | np.ndarray[Any, Any], *, scanner: Scanner | None = None) -> ImageScanResult:
    """Find and judge every QR code in an uploaded image (bytes of an image file, or a BGR/grey array)."""
    scanner = scanner or Scanner()
    grey = _as_grey(image)
    scale = 1.0
    if max(grey.shape[:2]) > _MAX_SIDE:
        scale = _MAX_SIDE / max(grey.shape[:2])
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    payloads, points = _detect(grey)
    if not payloads and min(grey.shape[:2]) < 400:
        # small screenshots: upscaling helps the detector find the finder patterns
        payloads, points = _detect(cv2.resize(grey, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_NEAREST))
        scale *= 2.0
    codes: list[QRCode] = []
    undecoded = 0
    for raw_payload, corners in zip(payloads, points, strict=False):
        payload = repair_payload(raw_payload)
        if not payload:
            undecoded += 1
            continue
        result = judge_payload(payload, scanner=scanner)
        codes.append(
            QRCode(
                payload=payload,
                corners=tuple((float(x) / scale, float(y) / scale) for x, y in np.asarray(corners).reshape(-1, 2)),
                result=result,
            )
        )
    all_matches = [match for code in codes for match in code.result.matches]
    combined = decide(scanner.compiled, all_matches)
    return ImageScanResult(
        action=combined.action, categories=combined.categories, codes=tuple(codes), undecoded=undecoded
    )
