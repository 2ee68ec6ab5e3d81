"""What the database says after the rehearsal, as one JSON line (run inside Django by run.py).

    python -m bench.rehearsal.facts     (with the rehearsal's environment)
"""

import json

import django


def main() -> None:
    django.setup()
    from django.db.models import Count, F

    from yoyaku.booking import selectors
    from yoyaku.booking.models import Reservation, Slot
    from yoyaku.notify.models import Notification

    facts = {
        # Reservation codes are fine here: made-up residents, printed nowhere but compared by run.py.
        "reservations": dict(Reservation.objects.values_list("code", "status")),
        "overbooked_slots": Slot.objects.filter(booked__gt=F("capacity")).count(),
        "double_bookings": len(list(selectors.double_bookings())),
        "counter_mismatches": selectors.integrity_mismatches().count(),
        "notifications": dict(Notification.objects.values("status").annotate(n=Count("pk")).values_list("status", "n")),
        "unsent": Notification.objects.filter(status__in=[Notification.Status.PENDING,
                                                          Notification.Status.SENDING]).count(),
    }
    print(json.dumps(facts))


if __name__ == "__main__":
    main()
