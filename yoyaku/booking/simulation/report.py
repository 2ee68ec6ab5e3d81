"""The figures of a simulated month, per week (of the appointments' days) and in total."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from .engine import SOURCES, Outcome, Session


def _percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def _figures(sessions: list[Session], offers: list[str]) -> dict:
    by = Counter()
    for session in sessions:
        by.update(session.refilled)
    freed = sum(s.freed for s in sessions)
    refilled = sum(by.values())
    opened = sum(s.vials * s.doses_per_vial for s in sessions)
    wasted = sum(s.wasted for s in sessions)
    statuses = Counter("expired" if status == "open" else status for status in offers)
    return {
        "freed": freed, "freed_by_cancel": sum(s.freed_by_cancel for s in sessions),
        "refilled": refilled, "by": by, "left_empty": sum(s.left_empty for s in sessions),
        "given": sum(s.given for s in sessions), "no_shows": sum(s.no_shows for s in sessions),
        "vials": sum(s.vials for s in sessions), "opened": opened, "wasted": wasted,
        "topped_up": sum(s.topped_up for s in sessions),
        "offers": len(offers), "accepted": statuses["accepted"], "expired": statuses["expired"],
        "refilled_pct": _percent(refilled, freed), "wasted_pct": _percent(wasted, opened),
    }


def _line(label: str, f: dict) -> str:
    by = ", ".join(f"{source} {f['by'][source]}" for source in SOURCES)
    return (f"{label}: freed {f['freed']} ({f['freed_by_cancel']} by cancellation), refilled before their day "
            f"{f['refilled']} ({f['refilled_pct']:.1f} %: {by}), left empty {f['left_empty']}; doses given "
            f"{f['given']} (no-shows {f['no_shows']}, extra from the last vial {f['topped_up']}), vials opened "
            f"{f['vials']}, doses wasted {f['wasted']} ({f['wasted_pct']:.1f} %); offers sent {f['offers']}, "
            f"accepted {f['accepted']}, expired {f['expired']}")


def figures(outcome: Outcome) -> dict:
    return _figures(outcome.sessions, [status for _day, status in outcome.offers])


def report_lines(outcome: Outcome) -> list[str]:
    p = outcome.parameters
    lines = [f"simulate_month: {p.describe()}",
             f"first day {outcome.first_day.isoformat()}, {outcome.booked_initially} residents booked at their "
             f"first try, {outcome.seconds:.0f} s"]
    for week in range(p.weeks):
        start = outcome.first_day + timedelta(days=7 * week)
        end = start + timedelta(days=7)
        sessions = [s for s in outcome.sessions if start <= s.day < end]
        offers = [status for day, status in outcome.offers if start <= day < end]
        lines.append(_line(f"week {week + 1} ({start.isoformat()})", _figures(sessions, offers)))
    total = figures(outcome)
    lines.append(_line("total", total))
    lines.append(f"refilled {total['refilled_pct']:.1f} % of freed places before their day, "
                 f"wasted {total['wasted_pct']:.1f} % of opened doses")
    return lines
