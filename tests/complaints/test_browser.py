"""In a real browser: a complaint raised from a chat goes all the way to its improvement action.

A real server runs as a subprocess (uvicorn on a free port, its own KEFU_VAR_DIR): append-only tables
refuse the DELETE that live_server's flush would need. The data is the demo organisation plus one chat
served by the demo agent about an order.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path("test-artifacts")
PASSWORD = "kefu-demo-2026"

SETUP = """
import datetime as dt
from django.db import transaction
from django.utils import timezone
from kefu.core.demo import DemoContext
from kefu.org import demo as org_demo
from kefu.org.models import Employee
from kefu.policy import demo as policy_demo
from kefu.channel import services as ch
from django.contrib.auth import get_user_model
with transaction.atomic():
    ctx = DemoContext(today=timezone.localdate())
    org_demo.build(ctx)
    policy_demo.build(ctx)
    agent = get_user_model().objects.get(username="hd_agent")
    group = ch.service_group_create(actor=None, name="华东售后", code="BR-HD", unit_id=ctx.objects["HD.话务一组"].id)
    ch.presence_set(actor=agent, status="online")
    conv = ch.conversation_start(service_group_id=group.id, identified_by="phone", phone="13912345678", name="王女士")
    order = ch.order_create(actor=None, customer=conv.customer, number="DD-BROWSER-1", shop="华夏优品旗舰店",
                            items=[{"name": "保温杯", "quantity": 1, "unit_price": "129.00"}])
    ch.message_send(actor=agent, conversation_id=conv.id, client_key="b1", text="订单 DD-BROWSER-1 已查到")
    print("CONVERSATION", conv.id)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, int]]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests")
    var = tempfile.mkdtemp(prefix="kefu-browser-")
    env = {**os.environ, "KEFU_VAR_DIR": var, "DJANGO_SETTINGS_MODULE": "kefu.settings"}
    env.pop("KEFU_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "kefu.cli", "migrate", "-v0"], env=env, check=True, timeout=600)
    out = subprocess.run(
        [sys.executable, "-m", "kefu.cli", "shell", "-c", SETUP],
        env=env,
        check=True,
        timeout=600,
        capture_output=True,
        text=True,
    ).stdout
    conversation_id = int(out.split("CONVERSATION")[1].split()[0])
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "kefu.asgi:application", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/accounts/login/", timeout=2)  # noqa: S310 - our own local server
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the kefu server did not start")
        yield base, conversation_id
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.browser
def test_complaint_from_chat_to_improvement_action_in_the_browser(server: tuple[str, int]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, conversation_id = server
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        page = browser.new_page(locale="zh-CN")
        page.set_default_timeout(20000)

        def login(username: str) -> None:
            page.context.clear_cookies()
            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit], input[type=submit]")
            page.wait_for_url(lambda url: "/accounts/login/" not in url)

        # The agent raises it from the chat (the console's button opens this page).
        login("hd_agent")
        page.goto(f"{base}/complaints/new/?conversation={conversation_id}")
        page.fill("textarea[name=content]", "保温杯杯盖开裂，客服回复敷衍")
        page.fill("input[name=customer_request]", "换新并道歉")
        page.fill("input[name=amount_at_stake]", "129.00")
        page.click("button[type=submit]")
        page.wait_for_url("**/complaints/*/")
        complaint_url = page.url
        expect(page.locator("#status")).to_have_text("已登记")
        page.screenshot(path=str(ARTIFACTS / "complaint-1-raised.png"), full_page=True)

        login("hd_complaints")
        page.goto(complaint_url)

        def act(action: str, fields: dict[str, str], expect_status: str) -> None:
            form = page.locator(f"form[data-action={action}]")
            for name, value in fields.items():
                field = form.locator(f"[name={name}]")
                if field.evaluate("e => e.tagName") == "SELECT":
                    field.select_option(value)
                else:
                    field.fill(value)
            form.locator("button[type=submit]").click()
            expect(page.locator("#status")).to_have_text(expect_status)

        act("classify", {"category": "商品质量", "founded": "true", "reasonable": "true"}, "已定性")
        act("assign", {}, "已分派")  # the suggested handler is preselected
        act("investigate", {"findings": "包装不当，客服未登记", "responsible_party": "agent"}, "已调查")
        act(
            "propose",
            {"solution_kind": "replacement", "solution": "补发新杯并致歉", "compensation_amount": "30.00"},
            "已提出方案",
        )
        act("notify", {"customer_notice": "已为您补发新杯并补偿 30 元"}, "已通知客户")
        act("satisfied", {"feedback": "满意"}, "客户满意")
        act("assess", {"loss_amount": "159.00"}, "已定责")
        expect(page.locator("body")).to_contain_text("扣减")
        act(
            "plan",
            {
                "improvement_kind": "training",
                "improvement_description": "易碎品包装与登记培训",
                "due_date": "2099-12-31",
            },
            "整改中",
        )
        page.screenshot(path=str(ARTIFACTS / "complaint-2-improving.png"), full_page=True)
        done = page.locator("form.improvement-done").first
        done.locator("input[name=note]").fill("全组培训已完成")
        done.locator("button[type=submit]").click()
        expect(page.locator("body")).to_contain_text("全组培训已完成")
        act("close", {"note": "整改完成"}, "已结案")
        expect(page.locator("#timeline")).to_contain_text("整改完成")
        page.screenshot(path=str(ARTIFACTS / "complaint-3-closed.png"), full_page=True)
        browser.close()
