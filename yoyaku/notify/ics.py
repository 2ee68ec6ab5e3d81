"""An iCalendar (RFC 5545) event for a reservation, so a resident can add it to a phone's calendar."""

from __future__ import annotations

from datetime import UTC, datetime


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (RFC 5545 3.1), never inside a UTF-8 character."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def reservation_ics(*, code: str, dose_number: int, starts_at: datetime, ends_at: datetime, venue_name: str,
                    venue_address: str, summary: str, description: str, host: str = "yoyaku",
                    sequence: int = 0) -> str:
    """Times are written in UTC (RFC 5545 form 2), which every calendar shows in its own time zone, so no
    VTIMEZONE is needed. The UID is the same for every version of one reservation's event: the file sent
    with a change (a higher SEQUENCE) replaces the booking's event in the resident's calendar."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Yoyaku//Vaccination booking//JA",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{code}-{dose_number}@{host}",
        f"SEQUENCE:{int(sequence)}",
        f"DTSTAMP:{_utc(datetime.now(UTC))}",
        f"DTSTART:{_utc(starts_at)}",
        f"DTEND:{_utc(ends_at)}",
        f"SUMMARY:{_escape(summary)}",
        f"LOCATION:{_escape(f'{venue_name} {venue_address}'.strip())}",
        f"DESCRIPTION:{_escape(description)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


