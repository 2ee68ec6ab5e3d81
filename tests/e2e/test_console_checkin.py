"""Check-in in a browser: the demo's venue staff (venue1, さくら内科クリニック) log in, open today's roster of
their venue, record the dose given to a resident with the vial's lot number, and mark another as a no-show.
The DoseRecord exists with that lot; the other venue's roster stays out of reach.

Every console page of the walk is checked by axe-core (zero violations), at a desk's width. With
SCREENSHOTS=1 each page is also saved to docs/screenshots/ (console-checkin-NN-*.png).
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from .conftest import expect
from .test_console_move_up import DESK, check, log_in, staff_with_authenticator

LOT = "FF3847"


def _today_at_venue(code: str, given_names: list[str]):
    """Reservations at the venue today: booked for its first slot, then the slot moved to today (a time that
    has begun cannot be booked, and the test may run at any hour)."""
    from django.utils import timezone

    from yoyaku.booking import services
    from yoyaku.booking.models import Resident, Slot

    slot = Slot.objects.filter(venue__code=code, vaccine__code="PFZ").order_by("starts_at").first()
    Slot.objects.filter(pk=slot.pk).update(capacity=slot.booked + len(given_names))
    reservations = []
    for n, given_name in enumerate(given_names):
        resident = Resident.objects.create(
            ticket_number=f"38{n + 1:08d}", birth_date=datetime(1948, 6, 1).date(), family_name="受付",
            given_name=given_name, family_name_kana="ウケツケ", given_name_kana="テスト", phone="0195-00-6666")
        reservations.append(services.reservation_book(actor=services.Actor.system(), resident=resident,
                                                      slot_id=slot.pk, dose_number=1))
    today = timezone.localdate()
    starts = timezone.make_aware(datetime.combine(today, time(0, 5)))
    Slot.objects.filter(pk=slot.pk).update(starts_at=starts, ends_at=starts + timedelta(minutes=30), day=today)
    return reservations


def test_venue_staff_record_a_dose_given_with_its_lot(browse, demo_city):
    from django.utils import timezone

    from yoyaku.booking.models import AuditEvent, DoseRecord, Reservation, Venue

    given, absent = _today_at_venue("C01", ["花子", "次郎"])
    user, device, password = staff_with_authenticator("venue1")
    checked: list[str] = []
    page = browse.new_page()
    page.set_viewport_size(DESK)
    page.goto("/console/rosters/")
    log_in(browse, page, "venue1", device, password, checked, walk="checkin")

    # Today's rosters: only the staff member's own venue.
    expect(page.get_by_role("heading", name=re.compile("の接種者名簿$"), level=1)).to_be_visible()
    venues = page.get_by_role("table", name=re.compile("の接種会場$"))
    expect(venues.get_by_role("row")).to_have_count(2)  # the header and さくら内科クリニック
    check(browse, page, "rosters", checked, walk="checkin")
    venues.get_by_role("link", name=re.compile("^名簿を表示")).click()

    # The roster: by time; record the dose given to the first resident.
    expect(page.get_by_role("heading", name=re.compile("^名簿：さくら内科クリニック"), level=1)).to_be_visible()
    roster = page.get_by_role("table", name="時間順の予約")
    expect(roster).to_contain_text(given.resident.full_name)
    check(browse, page, "roster", checked, walk="checkin")
    roster.get_by_role("link", name=f"接種を記録 {given.resident.full_name}").click()

    expect(page.get_by_role("heading", name="接種の記録", level=1)).to_be_visible()
    page.get_by_role("button", name="接種の記録", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("ロット番号を入力してください")
    check(browse, page, "check-in-error", checked, walk="checkin")
    page.get_by_label("ロット番号").fill(LOT.lower())
    page.get_by_role("button", name="接種の記録", exact=True).click()

    expect(page.get_by_role("status").first).to_contain_text(LOT)
    expect(page.locator(f"#r-{given.code}")).to_contain_text("接種済み")
    check(browse, page, "roster-after", checked, walk="checkin")

    # The other resident did not come.
    page.get_by_role("link", name=f"来場なし {absent.resident.full_name}").click()
    expect(page.get_by_role("heading", name="来場なしとして記録", level=1)).to_be_visible()
    check(browse, page, "no-show", checked, walk="checkin")
    page.get_by_role("button", name="来場なしとして記録", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("来場なし")

    # The print view, and the DoseRecord with its lot.
    page.get_by_role("link", name="印刷用表示（A4）").click()
    expect(page.get_by_role("table", name="時間順の予約")).to_contain_text(LOT)
    check(browse, page, "print", checked, walk="checkin")

    record = DoseRecord.objects.get(reservation=given)
    assert (record.lot, record.dose_number, record.venue.code, record.given_on) == (LOT, 1, "C01",
                                                                                     timezone.localdate())
    assert Reservation.objects.get(pk=given.pk).status == Reservation.Status.DONE
    assert Reservation.objects.get(pk=absent.pk).status == Reservation.Status.NO_SHOW
    assert AuditEvent.objects.filter(action="dose.record", actor_user=user, reservation=given).exists()

    # Another venue's roster is not there for venue staff, whatever id is typed.
    other = Venue.objects.get(code="C02")
    response = page.goto(f"/console/rosters/{other.pk}/{timezone.localdate().isoformat()}/")
    assert response.status == 404
    assert checked == ["login", "rosters", "roster", "check-in-error", "roster-after", "no-show", "print"]
