"""Money is Decimal yuan with two places, rounded half up at line level; never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")


def to_money(value: Decimal | int | str) -> Decimal:
    """Parse and quantize an amount of yuan; refuses floats so binary rounding never reaches a payslip."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a str, int or Decimal")
    try:
        amount = Decimal(value)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not an amount of money: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount of money: {value!r}")
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)
