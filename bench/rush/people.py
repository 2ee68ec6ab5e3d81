"""Who the rush's residents are: ticket numbers and birth dates both sides compute (no Django here)."""

from datetime import date, timedelta

TICKET_BASE = 3_000_000_000


def birth_date_of(index: int) -> date:
    return date(1940, 1, 1) + timedelta(days=(index * 37) % 20000)  # 1940 .. 1994


def ticket_of(index: int) -> str:
    return f"{TICKET_BASE + index:010d}"


def address_of(index: int) -> str:
    """Each resident's own client address (10.x.y.z), sent as X-Forwarded-For through one trusted proxy as nginx
    would: the per-address limits (logins, the gate's numbers) then see many people, not one generator."""
    return f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}"
