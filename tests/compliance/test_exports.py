"""Case and score downloads: what the person may see on the page, no more, with typed text neutralised."""

from __future__ import annotations

from django.test import Client

from kefu.compliance.models import ViolationCase
from kefu.core import exports
from tests.downloads import csv_rows, xlsx_sheet


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_branch_hr_exports_the_cases_of_the_branch_only(world, hr) -> None:
    rows = csv_rows(_client(hr).get("/compliance/cases/export/", {"format": "csv"}))

    agents = {row[3] for row in rows[1:]}
    assert rows[0][:4] == ["案件号", "日期", "类型", "客服"]
    assert {"越界同组客服", "越界同分公司客服"} <= agents
    assert "越界他分公司客服" not in agents


def test_the_page_filters_apply_to_the_download(world, hr) -> None:
    rows = csv_rows(_client(hr).get("/compliance/cases/export/", {"format": "csv", "q": "越界同组"}))
    assert {row[3] for row in rows[1:]} == {"越界同组客服"}


def test_an_agent_downloads_only_own_cases_and_own_score(world, active, send, agent) -> None:
    send(active, "加我QQ 12345678")
    own = ViolationCase.objects.get(agent=world.me)
    client = _client(agent)

    cases = csv_rows(client.get("/compliance/cases/export/", {"format": "csv"}))
    assert [row[0] for row in cases[1:]] == [own.number]
    scores = csv_rows(client.get("/compliance/scores/export/", {"format": "csv"}))
    assert [row[1] for row in scores[1:]] == [world.me.employee_no]


def test_a_customer_name_that_is_a_formula_stays_text(world, active, send, hr) -> None:
    active.customer.name = '=HYPERLINK("http://evil.example","点我")'
    active.customer.save(update_fields=["name"])
    send(active, "加我微信 abc_12345")

    response = _client(hr).get("/compliance/cases/export/", {"q": "=HYPERLINK"})

    assert response["Content-Type"] == exports.XLSX_TYPE
    sheet = xlsx_sheet(response)
    customer = [row[8] for row in sheet.iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in customer] == [('=HYPERLINK("http://evil.example","点我")', "s")]
