"""Find the first free time at a venue in the next two weeks and book it for a resident, via the Yoyaku API.

    YOYAKU_URL=https://yoyaku.example.jp YOYAKU_TOKEN=yk_... python api_example.py VENUE_ID TICKET_NUMBER

The token needs the scopes availability:read and reservations:write (console, Integrations). Standard library
only. A retry after a network error reuses the Idempotency-Key, so it can never book twice.
"""

import json
import os
import sys
import urllib.error
import urllib.request
import uuid
from datetime import date, timedelta

BASE = os.environ.get("YOYAKU_URL", "http://127.0.0.1:8000").rstrip("/") + "/api/v1"
HEADERS = {"Authorization": f"Bearer {os.environ['YOYAKU_TOKEN']}", "Accept-Language": "ja",
           "Content-Type": "application/json"}


def call(method, path, body=None, key=None):
    headers = {**HEADERS, **({"Idempotency-Key": key} if key else {})}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(BASE + path, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the city's own URL
            return json.load(response)
    except urllib.error.HTTPError as error:  # an RFC 9457 problem: its detail is the site's own message
        problem = json.load(error)
        sys.exit(f"{problem['status']} {problem['code']}: {problem['detail']}")


def first_free_slot(venue_id, days=14):
    for offset in range(days):
        day = (date.today() + timedelta(days=offset)).isoformat()
        free = [s for s in call("GET", f"/availability?venue_id={venue_id}&day={day}") if s["free"] > 0]
        if free:
            return free[0]
    return None


def main(venue_id, ticket_number):
    slot = first_free_slot(venue_id)
    if slot is None:
        sys.exit("No free time in the next two weeks.")
    body = {"ticket_number": ticket_number, "slot_id": slot["id"], "dose_number": 1,
            "reason": "Booked by the call-centre system"}
    reservation = call("POST", "/reservations", body, key=str(uuid.uuid4()))
    print(f"Booked {reservation['code']} at {reservation['slot']['starts_at']}")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
