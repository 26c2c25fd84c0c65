"""The inbox download: the complaints the person sees in the inbox, filtered as on the page, no more,
with text that customers typed kept as text."""

from __future__ import annotations

from typing import Any

from django.test import Client

from kefu.complaints import services
from kefu.complaints.models import Complaint
from kefu.core import exports, scopes
from tests.conftest import World
from tests.downloads import csv_records, xlsx_sheet

URL = "/complaints/export/"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_officer_downloads_the_inbox_of_the_branch_only(world: World, officer: Any) -> None:
    client = _client(officer)
    rows = csv_records(client.get(URL, {"format": "csv"}))
    page = client.get("/complaints/").content.decode()

    customers = {row["客户"] for row in rows}
    assert customers == {"越界投诉客户-same_team", "越界投诉客户-same_branch"}
    assert all(row["编号"] in page for row in rows)  # what the inbox lists, row for row
    assert {row["被投诉客服"] for row in rows} == {"越界同组客服", "越界同分公司客服"}
    foreign = Complaint.objects.get(content="越界投诉内容-other_branch")
    assert foreign.number not in {row["编号"] for row in rows}
    assert not any("other_branch" in value or "越界他分公司" in value for row in rows for value in row.values())


def test_the_inbox_filters_apply_to_the_download(world: World, officer: Any, raised: Complaint, walk: Any) -> None:
    client = _client(officer)
    walk(raised, "classify")

    searched = csv_records(client.get(URL, {"format": "csv", "q": "same_branch"}))
    assert [row["客户"] for row in searched] == ["越界投诉客户-same_branch"]
    by_status = csv_records(client.get(URL, {"format": "csv", "status": "classified"}))
    assert [row["编号"] for row in by_status] == [raised.number]
    by_category = csv_records(client.get(URL, {"format": "csv", "category": "商品质量"}))
    assert [row["编号"] for row in by_category] == [raised.number]
    by_source = csv_records(client.get(URL, {"format": "csv", "source": "phone"}))
    assert raised.number not in {row["编号"] for row in by_source}  # raised from a chat
    assert csv_records(client.get(URL, {"format": "csv", "status": "closed"})) == []


def test_a_row_carries_the_verdict_loss_and_penalty(world: World, officer: Any, raised: Complaint, walk: Any) -> None:
    walk(raised, "classify", "assign", "investigate", "propose", "notify", "satisfied", "assess")

    (row,) = csv_records(_client(officer).get(URL, {"format": "csv", "q": raised.number}))

    assert row["客户"] == "王女士" and row["订单"] == "DD20261101001"
    assert row["来源"] == "在线会话" and row["类别"] == "商品质量" and row["状态"] == "已定责"
    assert row["处理人"] == "处理员小周" and row["被投诉客服"] == "本人客服"
    assert (row["理由充分"], row["要求合理"]) == ("是", "是")
    assert (row["涉及金额"], row["损失金额"], row["扣罚比例"]) == ("258.00", "308.00", "0.0500")
    assert row["投诉内容"] == "保温杯收到时杯盖开裂，客服态度敷衍"


def test_text_a_customer_typed_as_a_formula_stays_text(world: World, officer: Any, chat: Any) -> None:
    conversation, _ = chat
    conversation.customer.name = '=HYPERLINK("http://evil.example","点我")'
    conversation.customer.save(update_fields=["name"])
    services.complaint_from_conversation(
        actor=world.users[scopes.AGENT], conversation_id=conversation.id, content="=1+1 退款", amount_at_stake="0"
    )

    response = _client(officer).get(URL, {"q": "=1+1"})

    assert response["Content-Type"] == exports.XLSX_TYPE
    sheet = xlsx_sheet(response)
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    (row,) = list(sheet.iter_rows(min_row=2))
    customer, content = row[header.index("客户")], row[header.index("投诉内容")]
    assert (customer.value, customer.data_type) == ('=HYPERLINK("http://evil.example","点我")', "s")
    assert (content.value, content.data_type) == ("=1+1 退款", "s")
    assert customer.quotePrefix and content.quotePrefix


def test_an_agent_downloads_only_the_complaints_about_them(world: World, raised: Complaint) -> None:
    rows = csv_records(_client(world.users[scopes.AGENT]).get(URL, {"format": "csv"}))
    assert [row["编号"] for row in rows] == [raised.number]


def test_who_sees_no_complaints_downloads_none(world: World, raised: Complaint) -> None:
    # Finance has no complaint role: the inbox is empty for them, and so is the download.
    assert csv_records(_client(world.users[scopes.FINANCE]).get(URL, {"format": "csv"})) == []
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_inbox_offers_the_download_in_its_filter_form(world: World, officer: Any) -> None:
    body = _client(officer).get("/complaints/").content.decode()
    assert f'formaction="{URL}"' in body
