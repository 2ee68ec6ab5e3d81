"""Who the rush's residents are: ticket numbers and birth dates both sides compute (no Django here)."""

from datetime import date, timedelta

TICKET_BASE = 3_000_000_000


def birth_date_of(index: int) -> date:
    return date(1940, 1, 1) + timedelta(days=(index * 37) % 20000)  # 1940 .. 1994


def ticket_of(index: int) -> str:
    return f"{TICKET_BASE + index:010d}"
