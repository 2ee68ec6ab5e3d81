"""The stewardship area: the same-day standby list (city admin, venue staff of the venue; the "other" venue's
list and its entries are refused to venue staff, the call centre has no part in it)."""

from yoyaku.booking import services

from .permissions import CITY_ADMIN, VENUE_STAFF, Sample

STANDBY = frozenset({CITY_ADMIN, VENUE_STAFF})
ADMIN = frozenset({CITY_ADMIN})


def samples(world):
    own, other = world["own"], world["other"]
    system = services.Actor.system()
    # Joining again returns the entry already waiting: the samples can be read more than once.
    own_entry = services.standby_join(actor=system, resident=world["resident"], dose_number=2, venue=own)
    other_entry = services.standby_join(actor=system, resident=world["neighbour"], dose_number=2, venue=other)
    return [
        Sample("standby_venues", allowed=STANDBY),
        Sample("standby", {"venue_id": own.pk}, allowed=STANDBY, note="standby list: own venue"),
        Sample("standby", {"venue_id": other.pk}, allowed=ADMIN, note="standby list: another venue (404)"),
        Sample("standby_call", {"venue_id": own.pk, "entry_id": own_entry.pk}, allowed=STANDBY,
               note="give a place: own venue's entry"),
        Sample("standby_call", {"venue_id": other.pk, "entry_id": other_entry.pk}, allowed=ADMIN,
               note="give a place: another venue's entry (404)"),
        Sample("standby_call", {"venue_id": own.pk, "entry_id": other_entry.pk}, allowed=frozenset(),
               note="another venue's entry under one's own venue: 404 for everyone"),
    ]
