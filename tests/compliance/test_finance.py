"""The finance link: a record of money past the company opens a case for branch HR at once, with the chat
behind it attached; imports are all-or-nothing and idempotent; the channel's flagged payments count too."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kefu.channel import services as channel_services
from kefu.compliance import selectors, services
from kefu.compliance.models import CaseKind, FinanceRecord, FinanceSource, ViolationCase
from kefu.core import scopes
from kefu.core.errors import ApplicationError, Forbidden, NotFound
from kefu.core.models import AuditEntry, Notification
from kefu.core.services import subject_of


def _now_text() -> str:
    return timezone.localtime().strftime("%Y-%m-%d %H:%M")


def test_private_receipt_matched_by_phone_opens_a_case_with_the_chat(world, active, send, hr) -> None:
    send(active, "您好，请问有什么可以帮您？")
    send(active, "师傅辛苦了，钱我直接转你", by="customer")
    finance = world.users[scopes.FINANCE]

    record = services.finance_record_create(
        actor=finance,
        unit_id=world.branch_a.id,
        kind="private_receipt",
        amount="200.00",
        account="6217000011112222",
        payer_name="张三",
        payer_phone="138-0000-0001",
        occurred_at=_now_text(),
        note="银行流水：转入客服个人卡",
    )

    assert record.customer_id == active.customer_id and record.matched_by == "phone"
    case = ViolationCase.objects.get(finance_record=record)
    assert case.kind == CaseKind.FINANCE and case.agent_id == world.me.id and case.status == "open"
    assert case.finance_lag_seconds is not None and case.finance_lag_seconds < 60  # the same minute
    evidence = selectors.case_evidence(actor=hr, case=case)
    texts = [line.message.text for line in evidence[0].lines]
    assert "师傅辛苦了，钱我直接转你" in texts and "您好，请问有什么可以帮您？" in texts
    assert Notification.objects.filter(recipient=hr, kind="finance_case", subject=subject_of(case)).exists()
    assert AuditEntry.objects.filter(action="finance_record.create", object_id=str(record.id)).exists()


def test_record_is_matched_by_order_number_first(world, active) -> None:
    order = channel_services.order_create(
        actor=None,
        customer=active.customer,
        number="DD20261120001",
        shop="官方旗舰店",
        items=[{"name": "空气炸锅", "quantity": 1, "unit_price": "399.00"}],
    )
    record = services.finance_record_create(
        actor=world.users[scopes.HQ_ADMIN],
        unit_id=world.branch_a.id,
        kind="non_company_payment",
        amount="399",
        account="私人支付宝 138****0001",
        order_number="DD20261120001",
        occurred_at=_now_text(),
    )
    assert record.order_id == order.id and record.matched_by == "order"
    assert ViolationCase.objects.get(finance_record=record).order_id == order.id


def test_unmatched_record_still_opens_a_branch_case(world, hr) -> None:
    record = services.finance_record_create(
        actor=world.users[scopes.FINANCE],
        unit_id=world.branch_a.id,
        kind="private_receipt",
        amount="50",
        account="不明账户",
        payer_name="无名氏",
        occurred_at=_now_text(),
    )
    case = ViolationCase.objects.get(finance_record=record)
    assert case.agent is None and case.unit_id == world.branch_a.id
    assert case.id in {c.id for c in selectors.violation_case_list(actor=hr)}


def test_only_finance_and_hq_record_and_only_in_their_branch(world) -> None:
    with pytest.raises(Forbidden):
        services.finance_record_create(
            actor=world.users[scopes.BRANCH_HR], unit_id=world.branch_a.id, kind="private_receipt",
            amount="1", account="x", occurred_at=_now_text(),
        )  # fmt: skip
    with pytest.raises(NotFound):
        services.finance_record_create(
            actor=world.users[scopes.FINANCE], unit_id=world.branch_b.id, kind="private_receipt",
            amount="1", account="x", occurred_at=_now_text(),
        )  # fmt: skip


CSV_OK = (
    "类型,金额,收款账户,付款人,付款人手机,订单号,发生时间,备注\n"
    "私人账户收款,120.50,6217000099998888,张三,13800000001,,2026-11-20 10:05,流水\n"
    "客户付款至非公司账户,88,私人微信,李四,13900000999,,2026-11-20 11:00,\n"
)


def test_csv_import_creates_records_and_cases_and_the_same_file_again_is_a_no_op(world, active) -> None:
    finance = world.users[scopes.FINANCE]
    before = FinanceRecord.objects.count()

    batch = services.finance_import(
        actor=finance, unit_id=world.branch_a.id, filename="11月.csv", content=CSV_OK.encode()
    )
    again = services.finance_import(
        actor=finance, unit_id=world.branch_a.id, filename="11月.csv", content=CSV_OK.encode()
    )

    assert again.id == batch.id and batch.rows == 2
    records = FinanceRecord.objects.filter(batch=batch).order_by("row_number")
    assert FinanceRecord.objects.count() == before + 2
    assert [r.source for r in records] == [FinanceSource.IMPORT] * 2
    assert records[0].customer_id == active.customer_id and records[1].customer_id is None
    assert ViolationCase.objects.filter(finance_record__batch=batch).count() == 2


def test_csv_with_a_bad_row_imports_nothing_and_names_the_row(world) -> None:
    bad = CSV_OK + "私人账户收款,abc,6217,王五,,,2026-11-20 12:00,\n"
    before = (FinanceRecord.objects.count(), ViolationCase.objects.count(), AuditEntry.objects.count())

    with pytest.raises(ApplicationError, match="第 4 行：金额不对"):
        services.finance_import(
            actor=world.users[scopes.FINANCE], unit_id=world.branch_a.id, filename="bad.csv", content=bad.encode()
        )
    assert (FinanceRecord.objects.count(), ViolationCase.objects.count(), AuditEntry.objects.count()) == before


def test_channel_payment_to_a_private_account_opens_a_case_at_once(world, active, send) -> None:
    send(active, "尾款转我微信就行", by="agent")
    payment = channel_services.payment_record(
        actor=world.users[scopes.FINANCE],
        customer_id=active.customer_id,
        amount="300.00",
        receiving_account="个人微信 zhang88",
        method="wechat",
    )

    record = FinanceRecord.objects.get(payment=payment)
    assert record.source == FinanceSource.CHANNEL and record.customer_id == active.customer_id
    case = ViolationCase.objects.get(finance_record=record)
    assert case.agent_id == world.me.id and case.finance_lag_seconds < 60
