from django.http import HttpRequest
from ninja import Router

from kefu.policy import catalogue, selectors, services
from kefu.policy.catalogue import PolicyKeySpec
from kefu.policy.models import PolicyValue
from kefu.policy.schemas import EffectiveOut, PolicyClearIn, PolicyKeyOut, PolicySetIn, PolicyValueOut

router = Router(tags=["policy"])


def _effective_out(resolution: selectors.Resolution) -> EffectiveOut:
    return EffectiveOut(
        key=resolution.spec.key,
        label=resolution.spec.label,
        value=resolution.value,
        display=resolution.display,
        source_unit_id=resolution.source.id if resolution.source else None,
        locked_at_unit_id=resolution.locked_at.id if resolution.locked_at else None,
        locked_above=resolution.locked_above,
        own_value=resolution.own.value if resolution.own else None,
    )


@router.get("/keys", response=list[PolicyKeyOut])
def key_list(request: HttpRequest) -> list[PolicyKeySpec]:
    return catalogue.all_specs()


@router.get("/units/{unit_id}/effective", response=list[EffectiveOut])
def effective(request: HttpRequest, unit_id: int) -> list[EffectiveOut]:
    return [_effective_out(r) for r in selectors.policy_overview(actor=request.user, unit_id=unit_id)]


@router.put("/units/{unit_id}/values/{key}", response=PolicyValueOut)
def value_set(request: HttpRequest, unit_id: int, key: str, payload: PolicySetIn) -> PolicyValue:
    return services.policy_set(actor=request.user, key=key, unit_id=unit_id, **payload.dict())


@router.post("/units/{unit_id}/values/{key}/clear", response=PolicyValueOut)
def value_clear(request: HttpRequest, unit_id: int, key: str, payload: PolicyClearIn) -> PolicyValue:
    return services.policy_clear(actor=request.user, key=key, unit_id=unit_id, note=payload.note)


@router.get("/units/{unit_id}/values/{key}/history", response=list[PolicyValueOut])
def value_history(request: HttpRequest, unit_id: int, key: str) -> list[PolicyValue]:
    return list(selectors.policy_history(actor=request.user, key=key, unit_id=unit_id))
