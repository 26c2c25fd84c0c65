"""Complaints at every spot of the access matrix: one per spot, about (and handled by) the spot's agent,
with one improvement action; and how to name them in routes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kefu.channel import services as channel_services
from kefu.channel.models import Conversation, ServiceGroup
from kefu.complaints import services
from kefu.complaints.models import Complaint, ImprovementAction
from kefu.core import scopes


def _branch(world: Any, spot: Any) -> Any:
    return world.branch_b if spot.name == "other_branch" else world.branch_a


def build(world: Any, spot: Any) -> list[str]:
    customer = channel_services.customer_create(
        actor=None, name=f"越界投诉客户-{spot.name}", unit=_branch(world, spot), phone=f"1350000{len(spot.name):04d}"
    )
    group = ServiceGroup.objects.create(name=f"投诉矩阵-{spot.name}", code=f"TS-MX-{spot.name}", unit=spot.unit)
    # A closed chat the spot's agent served (made directly: routing would put spot agents online).
    Conversation.objects.create(
        customer=customer,
        service_group=group,
        unit=spot.unit,
        agent=spot.employee,
        status="closed",
        identified_by="staff",
        closed_at=timezone.now(),
    )
    complaint = services.complaint_record(
        actor=world.users[scopes.HQ_ADMIN],
        customer_id=customer.id,
        content=f"越界投诉内容-{spot.name}",
        amount_at_stake="10",
        subject_agent_id=spot.employee.id,
    )
    ImprovementAction.objects.create(
        complaint=complaint,
        kind="training",
        description=f"越界整改-{spot.name}",
        owner=spot.employee,
        due_date=timezone.localdate() + dt.timedelta(days=30),
    )
    return [f"越界投诉客户-{spot.name}", f"越界投诉内容-{spot.name}", complaint.number]


def _complaint(world: Any, spot: Any) -> Complaint:
    return Complaint.objects.get(content=f"越界投诉内容-{spot.name}")


def _conversation(world: Any, spot: Any) -> int:
    return Conversation.objects.get(service_group__code=f"TS-MX-{spot.name}").id


def _act(world: Any, spot: Any) -> dict[str, Any]:
    c = _complaint(world, spot)
    return {
        "action": "classify",
        "expected_version": c.version,
        "data": {"category": "服务", "founded": "true", "reasonable": "true"},
    }


def _page_act(world: Any, spot: Any) -> dict[str, Any]:
    c = _complaint(world, spot)
    return {"action": "classify", "version": c.version, "category": "服务", "founded": "true", "reasonable": "true"}


PARAMS = {
    "complaint_id": lambda world, spot: _complaint(world, spot).id,
    "improvement_id": lambda world, spot: ImprovementAction.objects.get(description=f"越界整改-{spot.name}").id,
}

WRITE_BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/v1/complaints/complaints"): lambda world, spot: {
        "conversation_id": _conversation(world, spot),
        "content": "越权登记",
        "amount_at_stake": "1",
    },
    ("POST", "/api/v1/complaints/complaints/{complaint_id}/act"): _act,
    ("POST", "/api/v1/complaints/complaints/{complaint_id}/evidence"): lambda world, spot: {
        "kind": "note",
        "note": "越权证据",
    },
    ("POST", "/api/v1/complaints/improvements/{improvement_id}/complete"): lambda world, spot: {"note": "越权完成"},
    ("POST", "/complaints/new/"): lambda world, spot: {
        "conversation": _conversation(world, spot),
        "content": "越权登记",
        "amount_at_stake": "1",
    },
    ("POST", "/complaints/<complaint_id>/act/"): _page_act,
    ("POST", "/complaints/<complaint_id>/evidence/"): lambda world, spot: {"kind": "note", "note": "越权证据"},
    ("POST", "/complaints/<complaint_id>/improvements/"): lambda world, spot: {
        "version": _complaint(world, spot).version,
        "improvement_kind": "rule",
        "improvement_description": "越权",
        "owner_id": spot.employee.id,
        "due_date": "2099-01-01",
    },
    ("POST", "/complaints/improvements/<improvement_id>/done/"): lambda world, spot: {"note": "越权完成"},
    ("POST", "/complaints/import/<unit_id>/"): lambda world, spot: {
        "file": SimpleUploadedFile(
            "越权.csv", "客户姓名,手机号,投诉内容\n越权,13500000000,越权导入\n".encode(), "text/csv"
        )
    },
}

# The customer's form and status page are public: the token in the link is the only key (tested apart).
PUBLIC_PAGES = {"complaint_public_form", "complaint_public_status"}

SPOT_BUILDERS = [build]
