"""Demo policy history: HQ confirms its standards; 华东 tunes what it may."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from kefu.core.demo import DemoContext
from kefu.policy import services


def build(ctx: DemoContext) -> None:
    users = get_user_model().objects
    hq, hd_hr = users.get(username="hq_admin"), users.get(username="hd_hr")
    group, hd = ctx.objects["group"], ctx.objects["HD.branch"]
    services.policy_set(
        actor=hq,
        key="compliance.weight",
        unit_id=group.id,
        value="0.20",
        locked=True,
        note="集团标准：合规分占绩效 20%",
    )
    services.policy_set(
        actor=hq,
        key="compliance.block_message",
        unit_id=group.id,
        value="请通过官方渠道联系",
        locked=True,
        note="统一拦截提示语",
    )
    services.policy_set(
        actor=hd_hr, key="channel.max_concurrent_chats", unit_id=hd.id, value=6, note="华东话务量大，接待上限调整为 6"
    )
    services.policy_set(
        actor=hd_hr, key="compliance.block_terms", unit_id=hd.id, value=["加个好友", "私聊我"], note="华东补充拦截词"
    )
