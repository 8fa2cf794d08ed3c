"""Exact money. Decimal everywhere; integer minor units only at the Stripe boundary."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ISO 4217 currencies we sell in, with their minor-unit exponent.
CURRENCY_EXPONENTS: dict[str, int] = {"USD": 2, "SAR": 2, "EGP": 2}
CURRENCIES = tuple(CURRENCY_EXPONENTS)
# How money can reach us: the one list (payments rows; a booking adds "free" for nothing to pay).
PAYMENT_METHODS = ("stripe", "cash", "bank_transfer")


def check_currency(currency: str) -> str:
    if currency not in CURRENCY_EXPONENTS:
        raise ValueError(f"unsupported currency {currency!r}; use one of {', '.join(CURRENCIES)}")
    return currency


def quantize(amount: Decimal | str | int, currency: str) -> Decimal:
    """`amount` rounded half-up to the currency's minor unit."""
    exponent = CURRENCY_EXPONENTS[check_currency(currency)]
    try:
        value = Decimal(str(amount)) if not isinstance(amount, Decimal) else amount
    except InvalidOperation:
        raise ValueError(f"{amount!r} is not an amount of money") from None
    if not value.is_finite():
        raise ValueError(f"{amount!r} is not an amount of money")
    return value.quantize(Decimal(1).scaleb(-exponent), rounding=ROUND_HALF_UP)


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Integer minor units (cents, halalas, piastres) for Stripe."""
    exponent = CURRENCY_EXPONENTS[check_currency(currency)]
    return int(quantize(amount, currency).scaleb(exponent))


def from_minor_units(units: int, currency: str) -> Decimal:
    exponent = CURRENCY_EXPONENTS[check_currency(currency)]
    return quantize(Decimal(units).scaleb(-exponent), currency)


def percent_of(amount: Decimal, percent: int | Decimal, currency: str) -> Decimal:
    """`percent`% of `amount`, rounded to the minor unit (refund policies use this)."""
    return quantize(Decimal(amount) * Decimal(percent) / Decimal(100), currency)


def format_money(amount: Decimal, currency: str) -> str:
    return f"{quantize(amount, currency):,} {currency}"
