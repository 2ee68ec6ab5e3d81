"""Waiting-list offers (キャンセル待ち by email): a freed place the move-up list leaves unoffered is emailed to
waiting-list entries (residents with no place yet), oldest first; accepting books it through the booking
engine's conditional update and takes the entry off the list, in one transaction."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests import factories as f
from tests.booking.test_concurrency import assert_integrity, storm
from tests.notify.conftest import smtp, smtp_server  # noqa: F401 - the real SMTP server fixtures
from yoyaku.booking import services
from yoyaku.booking.errors import NotYours, OfferClosed
from yoyaku.booking.models import AuditEvent, MoveUpOffer, Reservation, Slot, StandbyEntry
from yoyaku.notify.models import Notification

SYSTEM = services.Actor.system()


@pytest.fixture
def offers_on(settings):
    settings.YOYAKU = {**settings.YOYAKU, "MOVE_UP_OFFERS": True, "WAITING_LIST_OFFERS": True,
                       "MOVE_UP_OFFERS_PER_PLACE": 3, "MOVE_UP_OFFER_MINUTES": 60, "MOVE_UP_OFFER_MIN_HOURS": 3,
                       "SITE_URL": "https://yoyaku.example.jp"}
    return settings


def join(resident, *, email=None, venue=None):
    email = f"{resident.ticket_number}@example.jp" if email is None else email
    return services.standby_join(actor=SYSTEM, resident=resident, dose_number=1, venue=venue, email=email)


@pytest.fixture
def city(db, offers_on):
    """One place in S1, held by A (no move-up wanted); four residents on the waiting list, W1 first."""
    f.open_window(opens_at=timezone.now() - timedelta(days=30))
    pfz = f.vaccine(code="PFZ", name="Pfizer")
    venue = f.venue(vaccines=[pfz], name="North Clinic", address="1-2-3 Kita")
    s1 = f.slot(venue=venue, vaccine=pfz, starts_at=f.at(4), capacity=1)
    a = services.reservation_book(actor=SYSTEM, resident=f.resident(email="a@example.jp"), slot_id=s1.pk,
                                  dose_number=1, email="a@example.jp")
    entries = [join(f.resident()) for _ in range(4)]
    return {"vaccine": pfz, "venue": venue, "s1": s1, "a": a, "entries": entries}


def offers(slot, **filters):
    return list(MoveUpOffer.objects.filter(slot=slot, **filters).order_by("pk"))


def accept(offer, *, now=None):
    return services.move_up_offer_accept(actor=services.Actor.for_resident(offer.standby_entry.resident),
                                         token=offer.token, now=now)


@pytest.mark.django_db
def test_a_place_the_move_up_list_leaves_unoffered_goes_to_the_oldest_waiting_list_entries(city):
    services.reservation_cancel(actor=SYSTEM, reservation=city["a"])
    made = offers(city["s1"])
    assert [o.standby_entry_id for o in made] == [e.pk for e in city["entries"][:3]]  # first asked, first served
    assert all(o.reservation_id is None and o.status == "open" for o in made)
    notes = list(Notification.objects.filter(kind=Notification.Kind.WAITING_LIST_OFFER).order_by("pk"))
    assert [n.email for n in notes] == [e.email for e in city["entries"][:3]]
    assert all(n.reservation_id is None and n.status == "pending" for n in notes)
    assert notes[0].payload["offer"]["url"] == f"https://yoyaku.example.jp/move-up/{made[0].token}/"
    assert notes[0].dedupe_key == f"move_up_offer:{made[0].pk}"
    events = AuditEvent.objects.filter(action="move_up_offer.make").order_by("pk")
    assert [e.resident_id for e in events] == [e.resident_id for e in city["entries"][:3]]
    assert services.move_up_offers_make(slot=city["s1"]) == []  # called again: nothing twice


@pytest.mark.django_db
def test_the_move_up_list_comes_first_and_the_waiting_list_gets_the_rest(city):
    later = f.slot(venue=city["venue"], vaccine=city["vaccine"], starts_at=f.at(9), capacity=1)
    mover = services.reservation_book(actor=SYSTEM, resident=f.resident(email="m@example.jp"), slot_id=later.pk,
                                      dose_number=1, email="m@example.jp", wants_move_up=True)
    services.reservation_cancel(actor=SYSTEM, reservation=city["a"])
    made = offers(city["s1"])
    assert made[0].reservation_id == mover.pk
    assert [o.standby_entry_id for o in made[1:]] == [e.pk for e in city["entries"][:2]]


@pytest.mark.django_db
def test_entries_that_cannot_take_the_place_are_passed_over(city):
    for entry in city["entries"]:
        services.standby_withdraw(actor=SYSTEM, entry=entry)
    no_email = join(f.resident(), email="")
    at_a_venue = join(f.resident(), venue=city["venue"])  # the venue's same-day list: phoned, not emailed
    child = join(f.resident(birth_date=timezone.localdate() - timedelta(days=365 * 8)))
    booked = f.resident()
    join(booked)
    other = f.slot(venue=city["venue"], vaccine=city["vaccine"], starts_at=f.at(12), capacity=1)
    services.reservation_book(actor=SYSTEM, resident=booked, slot_id=other.pk, dose_number=1)
    moved_away = join(f.resident(active=False))
    fine = join(f.resident(birth_date=date(1960, 4, 1)))
    services.reservation_cancel(actor=SYSTEM, reservation=city["a"])
    assert [o.standby_entry_id for o in offers(city["s1"])] == [fine.pk]
    assert {no_email.pk, at_a_venue.pk, child.pk, moved_away.pk}.isdisjoint(
        o.standby_entry_id for o in offers(city["s1"]))


@pytest.mark.django_db
def test_no_waiting_list_offer_when_the_city_turns_it_off(city, settings):
    settings.YOYAKU = {**settings.YOYAKU, "WAITING_LIST_OFFERS": False}
    services.reservation_cancel(actor=SYSTEM, reservation=city["a"])
    assert offers(city["s1"]) == []


@pytest.mark.django_db
def test_accepting_books_the_place_and_takes_the_entry_off_the_list(city):
    services.reservation_cancel(actor=SYSTEM, reservation=city["a"])
    first, second, third = offers(city["s1"])
    result = accept(second)
    assert result.status == "accepted"
    entry = StandbyEntry.objects.get(pk=second.standby_entry_id)
    assert entry.status == "booked" and entry.reservation is not None
    reservation = entry.reservation
    assert reservation.slot_id == city["s1"].pk and reservation.is_active
    assert reservation.email == entry.email and reservation.channel == "web"
    assert Slot.objects.get(pk=city["s1"].pk).booked == 1
    assert sorted(o.status for o in offers(city["s1"])) == ["accepted", "taken", "taken"]
    actions = set(AuditEvent.objects.filter(reservation=reservation).values_list("action", flat=True))
    assert actions == {"reservation.book", "standby.book", "move_up_offer.accept"}
    accepted = AuditEvent.objects.get(action="move_up_offer.accept")
    assert accepted.actor_kind == "resident" and accepted.resident_id == entry.resident_id
    assert Notification.objects.filter(kind=Notification.Kind.BOOKED, reservation=reservation).count() == 1
    # The others stay on the list.
    assert StandbyEntry.objects.get(pk=first.standby_entry_id).status == "waiting"
    with pytest.raises(OfferClosed):
        accept(second)  # the link works once
    assert_integrity()


@pytest.mark.django_db
def test_an_entry_served_elsewhere_finds_its_offers_withdrawn(city):
    services.reservation_cancel(actor=SYSTEM, reservation=city["a"])
    first = offers(city["s1"])[0]
    staff = services.Actor.for_staff(f.staff_user("venue-staff"))
    other = f.slot(venue=city["venue"], vaccine=city["vaccine"], starts_at=f.at(5), capacity=1)
    services.standby_book(actor=staff, entry=first.standby_entry, slot_id=other.pk, reason="電話")
    first.refresh_from_db()
    assert first.status == "withdrawn"
    with pytest.raises(OfferClosed):
        accept(first)
    second = offers(city["s1"])[1]
    services.standby_withdraw(actor=SYSTEM, entry=second.standby_entry)
    second.refresh_from_db()
    assert second.status == "withdrawn"
    assert Slot.objects.get(pk=city["s1"].pk).booked == 0


@pytest.mark.django_db
def test_a_full_slot_makes_the_offer_taken_and_the_entry_stays_waiting(city):
    services.reservation_cancel(actor=SYSTEM, reservation=city["a"])
    offer = offers(city["s1"])[0]
    services.reservation_book(actor=SYSTEM, resident=f.resident(), slot_id=city["s1"].pk, dose_number=1)
    MoveUpOffer.objects.filter(pk=offer.pk).update(status="open")  # as if the slot filled another way
    assert accept(offer).status == "taken"
    assert StandbyEntry.objects.get(pk=offer.standby_entry_id).status == "waiting"
    assert Reservation.objects.filter(resident_id=offer.standby_entry.resident_id).count() == 0
    assert Slot.objects.get(pk=city["s1"].pk).booked == 1


@pytest.mark.django_db
def test_another_resident_cannot_use_the_link(city):
    services.reservation_cancel(actor=SYSTEM, reservation=city["a"])
    offer = offers(city["s1"])[0]
    with pytest.raises(NotYours):
        services.move_up_offer_accept(actor=services.Actor.for_resident(f.resident()), token=offer.token)
    assert MoveUpOffer.objects.get(pk=offer.pk).status == "open"


@pytest.mark.django_db
def test_the_offer_email_arrives_and_a_stale_one_is_not_sent(city, smtp):  # noqa: F811
    Notification.objects.update(status=Notification.Status.SKIPPED)  # the booking confirmation: not this test
    services.reservation_cancel(actor=SYSTEM, reservation=city["a"])
    Notification.objects.filter(kind=Notification.Kind.CANCELLED).update(status=Notification.Status.SKIPPED)
    first, second, _third = offers(city["s1"])
    services.standby_withdraw(actor=SYSTEM, entry=second.standby_entry)  # left the list before the email went
    call_command("run_worker", "--until-idle", "--no-reminders")
    assert sorted(m["To"] for m in smtp.messages) == sorted([first.standby_entry.email, _third.standby_entry.email])
    [message] = [m for m in smtp.messages if m["To"] == first.standby_entry.email]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert f"https://yoyaku.example.jp/move-up/{first.token}/" in body
    # In the resident's language (Japanese here).
    assert "1回目の空き待ち" in body and "North Clinic" in body and "60分以内" in body
    assert "空き待ち" in message["Subject"]


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_residents_on_the_waiting_list_accepting_the_same_place_at_once_exactly_one_gets_it(offers_on):
    offers_on.YOYAKU = {**offers_on.YOYAKU, "MOVE_UP_OFFERS_PER_PLACE": 8}
    f.open_window(opens_at=timezone.now() - timedelta(days=30))
    pfz = f.vaccine(code="PFZ")
    venue = f.venue(vaccines=[pfz])
    early = f.slot(venue=venue, vaccine=pfz, starts_at=f.at(2), capacity=1)
    first = services.reservation_book(actor=SYSTEM, resident=f.resident(), slot_id=early.pk, dose_number=1)
    entries = [join(f.resident()) for _ in range(8)]
    services.reservation_cancel(actor=SYSTEM, reservation=first)
    made = list(MoveUpOffer.objects.filter(slot=early).select_related("standby_entry__resident"))
    assert len(made) == 8
    results = storm([lambda o=o: accept(o) for o in made])
    unexpected = [r for r in results if isinstance(r, BaseException) and not isinstance(r, OfferClosed)]
    assert unexpected == []
    won = [r for r in results if isinstance(r, MoveUpOffer) and r.status == "accepted"]
    assert len(won) == 1
    assert all((isinstance(r, OfferClosed) and r.status == "taken") or (isinstance(r, MoveUpOffer)
               and r.status == "taken") for r in results if r not in won), results
    assert Slot.objects.get(pk=early.pk).booked == 1
    assert Reservation.objects.active().filter(slot=early).count() == 1
    statuses = sorted(StandbyEntry.objects.filter(pk__in=[e.pk for e in entries]).values_list("status", flat=True))
    assert statuses == ["booked"] + ["waiting"] * 7
    assert_integrity()
