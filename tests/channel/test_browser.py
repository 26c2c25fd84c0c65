"""In a real browser: a customer on a phone-sized page and the demo agent at the console talk live.

A real server runs as a subprocess (uvicorn on a free 127.0.0.1 port, its own KEFU_VAR_DIR with SQLite
and the in-memory channel layer): append-only tables refuse the DELETE that live_server's flush needs.
The data is the demo organisation, policy and channel (hd_agent online with active conversations).
Screenshots go to test-artifacts/.
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
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

SETUP = """
import datetime as dt
from django.db import transaction
from django.utils import timezone
from kefu.core.demo import DemoContext
from kefu.org import demo as org_demo
from kefu.policy import demo as policy_demo
from kefu.channel import demo as channel_demo
with transaction.atomic():
    ctx = DemoContext(today=timezone.localdate())
    org_demo.build(ctx)
    policy_demo.build(ctx)
    channel_demo.build(ctx)
print("READY")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed: apt-get install chromium")
    var = tempfile.mkdtemp(prefix="kefu-channel-browser-")
    env = {**os.environ, "KEFU_VAR_DIR": var, "DJANGO_SETTINGS_MODULE": "kefu.settings"}
    for name in ("KEFU_DATABASE_URL", "KEFU_REDIS_URL"):
        env.pop(name, None)
    subprocess.run([sys.executable, "-m", "kefu.cli", "migrate", "-v0"], env=env, check=True, timeout=600)
    setup = subprocess.run(
        [sys.executable, "-m", "kefu.cli", "shell", "-c", SETUP], env=env, timeout=600, capture_output=True, text=True
    )
    assert "READY" in setup.stdout, setup.stderr[-3000:]
    port = _free_port()
    log = open(Path(var) / "server.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "kefu.asgi:application", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
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
            pytest.fail("the kefu server did not start: " + (Path(var) / "server.log").read_text()[-2000:])
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.mark.browser
def test_customer_and_agent_chat_live_and_contact_exchange_is_blocked(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            desk = browser.new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN").new_page()
            desk.goto(f"{server}/accounts/login/?next=/channel/console/")
            desk.fill("#id_username", "hd_agent")
            desk.fill("#id_password", PASSWORD)
            desk.click("button[type=submit]")
            desk.wait_for_url("**/channel/console/")
            expect(desk.locator("#conn")).to_have_text("实时", timeout=15000)
            expect(desk.locator("#conversation-list li")).to_have_count(3)
            desk.screenshot(path=str(ARTIFACTS / "channel-console-start.png"), full_page=True)

            phone = browser.new_context(
                viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
            ).new_page()
            phone.goto(f"{server}/channel/chat/?g=HD-PRE")
            phone.fill("input[name=name]", "测试小周")
            phone.click("#start")
            expect(phone.locator("#compose")).to_be_visible()

            # Routed to the online demo agent: the console lists the new customer without a reload.
            new_item = desk.locator("#conversation-list li", has_text="测试小周")
            expect(new_item).to_have_count(1, timeout=15000)

            phone.fill("#text", "你好，我的快递三天没动了，订单能查一下吗？")
            phone.click("#send")
            expect(phone.locator("#messages")).to_contain_text("我的快递三天没动了")

            new_item.locator("button").click()
            expect(desk.locator("#messages")).to_contain_text("我的快递三天没动了", timeout=15000)
            expect(desk.locator("#customer-card")).to_contain_text("测试小周")
            desk.fill("#text", "您好，我马上为您查询物流。")
            desk.press("#text", "Enter")
            expect(phone.locator("#messages")).to_contain_text("我马上为您查询物流", timeout=15000)
            phone.screenshot(path=str(ARTIFACTS / "channel-customer-reply.png"), full_page=True)

            phone.fill("#text", "加我微信 abc12345")
            phone.click("#send")
            expect(phone.locator("#notice")).to_have_text("请通过官方渠道联系")
            expect(phone.locator("#messages")).to_contain_text("未发送：请通过官方渠道联系")
            phone.screenshot(path=str(ARTIFACTS / "channel-customer-blocked.png"), full_page=True)

            # A harmless message after it arrives, so the agent's screen is known to be up to date …
            phone.fill("#text", "好的，谢谢")
            phone.click("#send")
            expect(desk.locator("#messages")).to_contain_text("好的，谢谢", timeout=15000)
            # … and the blocked one never reached it.
            expect(desk.locator("#messages")).not_to_contain_text("abc12345")
            desk.screenshot(path=str(ARTIFACTS / "channel-console-live.png"), full_page=True)

            # HTML typed by the customer is shown as text, never run.
            phone.fill("#text", "<img src=x onerror=document.title='pwned'>")
            phone.click("#send")
            expect(desk.locator("#messages")).to_contain_text("<img src=x onerror=", timeout=15000)
            assert desk.title() != "pwned"
        finally:
            browser.close()
