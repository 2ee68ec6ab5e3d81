import re

import pytest

from yoyaku.booking.models import Reservation

pytestmark = pytest.mark.django_db


def test_whole_flow_renders(logged_in, city):
    c = logged_in
    r = c.get("/")
    assert r.status_code == 200, r.content.decode()[:3000]
    r = c.get("/book/1/")
    assert r.status_code == 200, r.content.decode()[:3000]
    html = r.content.decode()
    slot_id = re.search(r'name="slot" value="(\d+)"', html).group(1)
    r = c.post("/book/1/", {"slot": slot_id, "booker": "self", "recipient_phone": "0195-23-3111",
                            "email": "", "wants_move_up": "no"})
    assert r.status_code == 302, r.content.decode()[:5000]
    r = c.get(r["Location"])
    assert r.status_code == 200
    key = re.search(r'name="request_key" value="([^"]+)"', r.content.decode()).group(1)
    r = c.post("/book/1/check/", {"request_key": key})
    assert r.status_code == 302
    r = c.get(r["Location"])
    assert r.status_code == 200
    code = Reservation.objects.get().code
    for url in ["/reservations/", f"/reservations/{code}/", f"/reservations/{code}/change/",
                f"/reservations/{code}/cancel/", f"/reservations/{code}/calendar.ics", "/book/2/"]:
        r = c.get(url)
        assert r.status_code in (200, 302), (url, r.content.decode()[:3000])
