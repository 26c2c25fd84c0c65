"""Personal QR codes sent as pictures are blocked; product and shop codes are not. Images are made here."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
import segno

from kefu.compliance.scanner import Scanner, Verdict
from kefu.compliance.scanner.images import repair_payload, scan_image


def qr_png(payload: str, *, scale: int = 6, **options: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(payload, error="m", **options).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def grey(png: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(png, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner()


@pytest.mark.parametrize(
    ("payload", "category"),
    [
        ("https://u.wechat.com/EHabc123xyz", "contact_wechat"),
        ("http://weixin.qq.com/r/abcDEF123", "contact_wechat"),
        ("wxp://f2f0abcdefgh", "contact_wechat"),
        ("https://qm.qq.com/cgi-bin/qm/qr?k=abc", "contact_qq"),
        ("HTTPS://QR.ALIPAY.COM/FKX12345ABCDE", "contact_alipay"),
        ("tel:13812345678", "contact_phone"),
    ],
)
def test_personal_qr_code_is_blocked(scanner: Scanner, payload: str, category: str) -> None:
    result = scan_image(qr_png(payload), scanner=scanner)

    assert result.action == Verdict.BLOCK
    assert category in result.categories
    assert "contact_qr" in result.categories
    assert [code.payload for code in result.codes] == [payload]


def test_wechat_payment_code_is_also_a_private_transfer(scanner: Scanner) -> None:
    assert "private_transfer" in scan_image(qr_png("wxp://f2f0abcdefgh"), scanner=scanner).categories


def test_chinese_text_in_a_qr_code_is_judged_like_a_message(scanner: Scanner) -> None:
    for options in ({"encoding": "utf-8"}, {}):  # byte mode, and the Kanji mode segno picks by default
        result = scan_image(qr_png("加我微信 lily_2024", **options), scanner=scanner)
        assert result.codes[0].payload == "加我微信 lily_2024"
        assert "contact_wechat" in result.categories


def test_shop_link_is_allowed(scanner: Scanner) -> None:
    result = scan_image(qr_png("https://shop.example.com/item/123?from=qr"), scanner=scanner)

    assert result.action == Verdict.ALLOW
    assert result.codes[0].payload.startswith("https://shop.example.com")


def test_every_code_in_one_picture_is_read(scanner: Scanner) -> None:
    left, right = grey(qr_png("https://shop.example.com/a")), grey(qr_png("https://qm.qq.com/abc"))
    height = max(left.shape[0], right.shape[0])
    picture = np.full((height + 60, left.shape[1] + right.shape[1] + 90), 255, dtype=np.uint8)
    picture[30 : 30 + left.shape[0], 30 : 30 + left.shape[1]] = left
    picture[30 : 30 + right.shape[0], 60 + left.shape[1] : 60 + left.shape[1] + right.shape[1]] = right

    result = scan_image(picture, scanner=scanner)

    assert sorted(code.payload for code in result.codes) == ["https://qm.qq.com/abc", "https://shop.example.com/a"]
    assert result.action == Verdict.BLOCK


def test_colour_photo_with_a_code_in_a_corner(scanner: Scanner) -> None:
    code = cv2.cvtColor(grey(qr_png("https://u.wechat.com/AbCd", scale=5)), cv2.COLOR_GRAY2BGR)
    photo = np.zeros((900, 1200, 3), dtype=np.uint8)
    photo[:, :] = (40, 120, 200)
    photo[600 : 600 + code.shape[0], 900 : 900 + code.shape[1]] = code
    ok, jpeg = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok

    result = scan_image(jpeg.tobytes(), scanner=scanner)

    assert result.categories == ("contact_qr", "contact_wechat")
    corners = result.codes[0].corners
    assert all(850 <= x <= 1200 and 550 <= y <= 900 for x, y in corners)


def test_picture_without_a_code(scanner: Scanner) -> None:
    result = scan_image(np.full((300, 300), 255, dtype=np.uint8), scanner=scanner)

    assert result.action == Verdict.ALLOW
    assert result.codes == ()


def test_not_an_image_is_refused(scanner: Scanner) -> None:
    with pytest.raises(ValueError, match="not an image"):
        scan_image(b"%PDF-1.4 not a picture", scanner=scanner)


def test_payload_repair_keeps_plain_text() -> None:
    assert repair_payload("https://example.com") == "https://example.com"
    assert repair_payload("加我") == "加我"
    assert repair_payload("加我微信".encode().decode("latin-1")) == "加我微信"
