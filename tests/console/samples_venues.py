"""The venues area: move-up (city admin, call centre), rosters and check-in (city admin, venue staff of the
venue; the "other" venue's roster and reservations are refused to venue staff), dashboard, audit log and
export (city admin)."""

from .permissions import CALL_CENTRE, CITY_ADMIN, VENUE_STAFF, Sample

MOVE_UP = frozenset({CITY_ADMIN, CALL_CENTRE})
ROSTERS = frozenset({CITY_ADMIN, VENUE_STAFF})
ADMIN = frozenset({CITY_ADMIN})


def samples(world):
    own, other = world["own"].pk, world["other"].pk
    day, other_day = world["day"].isoformat(), world["other_day"].isoformat()
    own_code, other_code = world["own_reservation"].code, world["other_reservation"].code
    samples = [
        Sample("move_up", allowed=MOVE_UP),
        Sample("move_up", allowed=MOVE_UP, query="days=31&page=2", note="move-up list, filtered, page 2"),
        Sample("move_up_slot", {"slot_id": world["own_slot"].pk}, allowed=MOVE_UP),
        Sample("rosters", allowed=ROSTERS),
        Sample("rosters", allowed=ROSTERS, query=f"day={day}", note="rosters of a day"),
        Sample("dashboard", allowed=ADMIN),
        Sample("audit", allowed=ADMIN),
        Sample("audit", allowed=ADMIN, query=f"resident={world['resident'].pk}", note="audit log of a resident"),
        Sample("reservations_export", allowed=ADMIN),
    ]
    for name in ("roster", "roster_print", "roster_csv", "roster_xlsx", "desk", "desk_scan"):
        samples.append(Sample(name, {"venue_id": own, "day": day}, allowed=ROSTERS, note=f"{name}: own venue"))
        samples.append(Sample(name, {"venue_id": other, "day": other_day}, allowed=ADMIN,
                              note=f"{name}: another venue (venue staff: 404)"))
    for name in ("check_in", "no_show"):
        samples.append(Sample(name, {"code": own_code}, allowed=ROSTERS, note=f"{name}: own venue's reservation"))
        samples.append(Sample(name, {"code": other_code}, allowed=ADMIN,
                              note=f"{name}: another venue's reservation (venue staff: 404)"))
    samples.append(Sample("move_up_offers", allowed=MOVE_UP))
    samples.append(Sample("move_up_offers", allowed=MOVE_UP, query="status=taken&page=2", note="offers, filtered"))
    return samples
