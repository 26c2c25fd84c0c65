"""Numbers split over several messages of one speaker are caught; other speakers and old messages are not joined."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kefu.compliance.scanner import ConversationWindow, Scanner, Verdict


def test_phone_number_split_over_three_messages_is_blocked_at_the_last() -> None:
    scanner = Scanner()
    first = scanner.scan("我手机号", conversation="c1")
    second = scanner.scan("138 1234", conversation="c1")
    third = scanner.scan("5678", conversation="c1")

    assert first.action == Verdict.ALLOW
    assert second.action == Verdict.ALLOW
    assert third.action == Verdict.BLOCK
    assert third.categories == ("contact_phone",)
    assert [(m.start, m.end, m.text) for m in third.matches] == [(0, 4, "5678")]


def test_numerals_split_over_messages() -> None:
    scanner = Scanner()
    for part in ("壹叁捌", "零零壹叁"):
        assert scanner.scan(part, conversation="c2", speaker="customer").action == Verdict.ALLOW
    assert scanner.scan("捌零零零", conversation="c2", speaker="customer").categories == ("contact_phone",)


def test_alias_and_account_in_separate_messages() -> None:
    scanner = Scanner()
    scanner.scan("我的vx是", conversation="c3")
    assert scanner.scan("lily_2024", conversation="c3").categories == ("contact_wechat",)


def test_pieces_after_a_phone_word_and_a_qq_number_announced_words_later() -> None:
    scanner = Scanner()
    for part in ("我电话186", "后面是"):
        scanner.scan(part, conversation="c7", speaker="customer")
    scanner.scan("亲，电话请填写在收货地址里哦", conversation="c7", speaker="agent")
    assert scanner.scan("7752 0931", conversation="c7", speaker="customer").categories == ("contact_phone",)

    for part in ("这边有问题的话加我企鹅方便点", "号码是", "10293"):
        scanner.scan(part, conversation="c8")
    assert scanner.scan("84756", conversation="c8").categories == ("contact_qq",)


def test_a_number_to_be_called_is_not_exempted_by_an_earlier_courier() -> None:
    scanner = Scanner()
    for part in ("我换号了，你们让快递打这个", "1️⃣3️⃣9️⃣", "1️⃣2️⃣3️⃣4️⃣"):
        scanner.scan(part, conversation="c9", speaker="customer")
    assert scanner.scan("5️⃣6️⃣7️⃣8️⃣", conversation="c9", speaker="customer").categories == ("contact_phone",)


def test_other_speaker_does_not_complete_the_number() -> None:
    scanner = Scanner()
    scanner.scan("138 1234", conversation="c4", speaker="agent")
    assert scanner.scan("5678", conversation="c4", speaker="customer").action == Verdict.ALLOW


def test_other_conversation_does_not_complete_the_number() -> None:
    scanner = Scanner()
    scanner.scan("138 1234", conversation="c5")
    assert scanner.scan("5678", conversation="c6").action == Verdict.ALLOW


def test_messages_older_than_the_window_are_forgotten() -> None:
    scanner = Scanner()
    start = datetime(2024, 5, 12, 10, 0, tzinfo=UTC)
    scanner.scan("138 1234", conversation="c7", at=start)
    late = scanner.scan("5678", conversation="c7", at=start + timedelta(minutes=6))
    assert late.action == Verdict.ALLOW


def test_order_number_typed_in_parts_is_not_a_contact() -> None:
    scanner = Scanner()
    for part in ("订单号是", "3847562910", "384756201"):
        assert scanner.scan(part, conversation="c8", speaker="customer").action == Verdict.ALLOW


def test_window_memory_is_bounded() -> None:
    window = ConversationWindow(max_messages=5, max_conversations=3, tail_chars=8)
    for conversation in range(10):
        for index in range(20):
            window.remember((conversation, "agent"), "很长的一条消息" * 50 + str(index), at=None)
    assert len(window) == 3
    recent = window.recent((9, "agent"), at=None)
    assert len(recent) == 4  # the message being judged is the fifth
    assert all(len(tail) <= 8 for tail in recent)


def test_scan_many_gives_the_same_results_as_scanning_in_order() -> None:
    import random

    rng = random.Random(7)
    parts = ["我手机号", "138 1234", "5678", "好的", "加我", "微信", "lily_2024", "订单号", "3847562910", "壹叁捌",
             "零零壹叁", "捌零零零", "红包给你", "您好", "2件", "vx", "abc", "123456", "不加微信"]  # fmt: skip
    messages = [
        (rng.choice(parts), rng.choice(["agent", "customer"]), rng.choice(["c1", "c2", None]), float(index * 20))
        for index in range(400)
    ]

    one_by_one = Scanner()
    expected = [one_by_one.scan(text, speaker=s, conversation=c, at=t) for text, s, c, t in messages]
    batched = Scanner()
    got = []
    for start in range(0, len(messages), 37):  # batches that cut conversations in the middle
        chunk = messages[start : start + 37]
        got.extend(
            batched.scan_many(
                [m[0] for m in chunk],
                speakers=[m[1] for m in chunk],
                conversations=[m[2] for m in chunk],
                at=[m[3] for m in chunk],
            )
        )

    assert got == expected
    assert any(result.action == Verdict.BLOCK for result in got)
