"""Permission samples of the residents area: the call centre and city admins; venue staff never."""

from .permissions import CALL_CENTRE, CITY_ADMIN, Sample

DESK = frozenset({CITY_ADMIN, CALL_CENTRE})


def samples(world):
    resident = world["resident"].pk
    code = world["own_reservation"].code
    neighbour = world["neighbour"].pk
    other_code = world["other_reservation"].code
    return [
        Sample("resident_search", allowed=DESK),
        Sample("resident_detail", {"resident_id": resident}, allowed=DESK),
        Sample("resident_contact_channel", {"resident_id": resident}, allowed=DESK),
        Sample("resident_detail", {"resident_id": neighbour}, allowed=DESK,
               note="a resident booked at the other venue: not a venue matter, the desk sees everyone"),
        # Dose 1 is booked (that page redirects to the resident); dose 2 can be booked after it.
        Sample("resident_book", {"resident_id": resident, "dose": 2}, allowed=DESK),
        Sample("resident_book_details", {"resident_id": resident, "dose": 2}, allowed=DESK, status=302,
               note="booking step 2 without a time chosen: back to step 1"),
        Sample("resident_book_check", {"resident_id": resident, "dose": 2}, allowed=DESK, status=302,
               note="booking step 3 without a time chosen: back to step 1"),
        Sample("resident_reservation_change", {"resident_id": resident, "code": code}, allowed=DESK),
        Sample("resident_reservation_cancel", {"resident_id": resident, "code": code}, allowed=DESK),
        Sample("resident_reservation_change", {"resident_id": resident, "code": other_code}, allowed=frozenset(),
               note="another resident's reservation under this resident: 404 for everyone"),
        Sample("resident_reservation_cancel", {"resident_id": neighbour, "code": code}, allowed=frozenset(),
               note="another resident's reservation under this resident: 404 for everyone"),
        Sample("residents_import", allowed=frozenset({CITY_ADMIN})),
    ]
