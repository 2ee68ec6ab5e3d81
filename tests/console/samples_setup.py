"""The setup area (vaccines, venues, slots, booking windows, notices): city admins only. Call-centre
operators and venue staff are refused everywhere, also on their own venue's slots and days."""

from tests import factories as f

from .permissions import CITY_ADMIN, Sample

ADMIN = frozenset({CITY_ADMIN})


def samples(world):
    window = f.open_window(label="65+")
    notice = _notice()
    own, other = world["own"], world["other"]
    day = world["day"].isoformat()
    return [
        Sample("setup_vaccines", allowed=ADMIN),
        Sample("setup_vaccine_new", allowed=ADMIN),
        Sample("setup_vaccine_edit", {"vaccine_id": world["vaccine"].pk}, allowed=ADMIN),
        Sample("setup_venues", allowed=ADMIN),
        Sample("setup_venue_new", allowed=ADMIN),
        Sample("setup_venue_edit", {"venue_id": own.pk}, allowed=ADMIN, note="venue staff's own venue"),
        Sample("setup_venue_edit", {"venue_id": other.pk}, allowed=ADMIN),
        Sample("setup_venue_day", {"venue_id": own.pk, "day": day}, allowed=ADMIN, note="own venue's day"),
        Sample("setup_venue_day", {"venue_id": other.pk, "day": day}, allowed=ADMIN),
        Sample("setup_venue_day_close", {"venue_id": own.pk, "day": day}, allowed=ADMIN),
        Sample("setup_slots", allowed=ADMIN),
        Sample("setup_slots", allowed=ADMIN, query=f"venue={own.pk}", note="own venue's days"),
        Sample("setup_slots_generate", allowed=ADMIN),
        Sample("setup_slot", {"slot_id": world["own_slot"].pk}, allowed=ADMIN, note="own venue's slot"),
        Sample("setup_slot", {"slot_id": world["other_slot"].pk}, allowed=ADMIN),
        Sample("setup_slot_close", {"slot_id": world["own_slot"].pk}, allowed=ADMIN),
        Sample("setup_slot_reopen", {"slot_id": world["own_slot"].pk}, allowed=ADMIN),
        Sample("setup_windows", allowed=ADMIN),
        Sample("setup_window_new", allowed=ADMIN),
        Sample("setup_window_close", {"window_id": window.pk}, allowed=ADMIN),
        Sample("setup_notices", allowed=ADMIN),
        Sample("setup_notice_new", allowed=ADMIN),
        Sample("setup_notice_edit", {"notice_id": notice.pk}, allowed=ADMIN),
        Sample("setup_notice_withdraw", {"notice_id": notice.pk}, allowed=ADMIN),
    ]


def _notice():
    from yoyaku.booking.models import Notice

    return Notice.objects.create(title_ja="お知らせ", body_ja="本文", title_en="Notice", body_en="Text")
