"""Move-up offers (繰上げ): a freed place is emailed to the best candidates; the first to accept gets it in one
atomic swap, the others keep their booking, and the place the winner gave up is offered on."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests import factories as f
from tests.booking.test_concurrency import assert_integrity, storm
from tests.notify.conftest import smtp, smtp_server  # noqa: F401 - the real SMTP server fixtures
from yoyaku.booking import services
from yoyaku.booking.errors import BookingError, OfferClosed
from yoyaku.booking.models import AuditEvent, MoveUpOffer, Reservation, Slot
from yoyaku.notify.models import Notification

SYSTEM = services.Actor.system()


@pytest.fixture
def offers_on(settings):
    settings.YOYAKU = {**settings.YOYAKU, "MOVE_UP_OFFERS": True, "MOVE_UP_OFFERS_PER_PLACE": 3,
                       "MOVE_UP_OFFER_MINUTES": 60, "MOVE_UP_OFFER_MIN_HOURS": 3,
                       "SITE_URL": "https://yoyaku.example.jp"}
    return settings


@pytest.fixture
def city(db, offers_on):
    """Four one-place slots S1 < S2 < S3 < S4: A holds S1 (no move-up wanted); B, C, D hold S2, S3, S4 and
    asked for an earlier date, in that order (so B is first asked, first served)."""
    f.open_window(opens_at=timezone.now() - timedelta(days=30))
    pfz = f.vaccine(code="PFZ", name="Pfizer")
    venue = f.venue(vaccines=[pfz], name="North Clinic", address="1-2-3 Kita")
    slots = [f.slot(venue=venue, vaccine=pfz, starts_at=f.at(day), capacity=1) for day in (2, 5, 8, 11)]
    people = {}
    for name, slot, wants in (("A", slots[0], False), ("B", slots[1], True), ("C", slots[2], True),
                              ("D", slots[3], True)):
        resident = f.resident(email=f"{name.lower()}@example.jp")
        people[name] = book(resident, slot, wants=wants)
    return {"vaccine": pfz, "venue": venue, "slots": slots, "people": people}


def book(resident, slot, *, wants=True, email=None):
    return services.reservation_book(actor=SYSTEM, resident=resident, slot_id=slot.pk, dose_number=1,
                                     wants_move_up=wants, email=resident.email if email is None else email)


def open_offers(slot):
    return list(MoveUpOffer.objects.filter(slot=slot, status=MoveUpOffer.Status.OPEN).order_by("pk"))


def offered_to(slot):
    return [o.reservation_id for o in open_offers(slot)]


def accept(reservation, slot, *, now=None):
    offer = MoveUpOffer.objects.get(reservation=reservation, slot=slot, status=MoveUpOffer.Status.OPEN)
    return services.move_up_offer_accept(actor=services.Actor.for_resident(reservation.resident), token=offer.token,
                                        now=now)


def counters(slots):
    return [Slot.objects.get(pk=s.pk).booked for s in slots]


def integrity_ok() -> bool:
    out = StringIO()
    call_command("check_integrity", stdout=out)
    return out.getvalue().startswith("ok")


# --- Offers are made when a place frees ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_cancellation_offers_the_place_to_the_best_three_with_an_email_each(city):
    s1 = city["slots"][0]
    p = city["people"]
    services.reservation_cancel(actor=SYSTEM, reservation=p["A"])
    assert offered_to(s1) == [p["B"].pk, p["C"].pk, p["D"].pk]  # first asked, first served
    notes = Notification.objects.filter(kind=Notification.Kind.MOVE_UP_OFFER).order_by("pk")
    assert [n.reservation_id for n in notes] == [p["B"].pk, p["C"].pk, p["D"].pk]
    offer = open_offers(s1)[0]
    assert notes[0].payload["offer"]["url"] == f"https://yoyaku.example.jp/move-up/{offer.token}/"
    assert notes[0].dedupe_key == f"move_up_offer:{offer.pk}"
    assert notes[0].email == "b@example.jp" and notes[0].status == Notification.Status.PENDING
    assert len(offer.token) >= 40 and offer.expires_at == offer.created_at + timedelta(minutes=60)
    # Offered again (another hook, a retry): nothing is made twice.
    assert services.move_up_offers_make(slot=s1) == []


@pytest.mark.django_db
def test_every_offer_made_is_in_the_audit_trail_of_its_resident(city):
    p = city["people"]
    services.reservation_cancel(actor=SYSTEM, reservation=p["A"])
    events = AuditEvent.objects.filter(action="move_up_offer.make").order_by("pk")
    assert [(e.actor_kind, e.reservation_id, e.object_type) for e in events] == [
        ("system", p[who].pk, "moveupoffer") for who in "BCD"]
    assert [int(e.object_id) for e in events] == [o.pk for o in open_offers(city["slots"][0])]


@pytest.mark.django_db
def test_a_capacity_increase_offers_the_new_places(city):
    s2 = city["slots"][1]
    p = city["people"]
    services.slot_set_capacity(actor=SYSTEM, slot=s2, capacity=2)
    assert offered_to(s2) == [p["C"].pk, p["D"].pk]  # only those with a later appointment
    services.slot_set_capacity(actor=SYSTEM, slot=s2, capacity=2)  # unchanged: nothing new
    assert len(open_offers(s2)) == 2


@pytest.mark.django_db
def test_a_move_offers_the_place_left(city):
    s1 = city["slots"][0]
    p = city["people"]
    later = f.slot(venue=city["venue"], vaccine=city["vaccine"], starts_at=f.at(20), capacity=1)
    services.reservation_change(actor=SYSTEM, reservation=p["A"], slot_id=later.pk)
    assert offered_to(s1) == [p["B"].pk, p["C"].pk, p["D"].pk]


@pytest.mark.django_db
def test_a_staff_move_up_offers_the_place_left(city, django_user_model):
    s1, s2 = city["slots"][:2]
    p = city["people"]
    services.reservation_cancel(actor=SYSTEM, reservation=p["A"])
    MoveUpOffer.objects.all().delete()
    Notification.objects.filter(kind=Notification.Kind.MOVE_UP_OFFER).delete()
    staff = services.Actor.for_staff(django_user_model.objects.create_user("op-offers", password="x-long-pass-1"))
    services.reservation_move_up(actor=staff, reservation=p["B"], slot_id=s1.pk, reason="電話で了承")
    assert offered_to(s2) == [p["C"].pk, p["D"].pk]


@pytest.mark.django_db
def test_no_offer_for_a_place_too_close_to_its_start(city):
    soon = f.slot(venue=city["venue"], vaccine=city["vaccine"], starts_at=timezone.now() + timedelta(hours=2),
                  capacity=1)
    reservation = book(f.resident(), soon, wants=False)
    services.reservation_cancel(actor=SYSTEM, reservation=reservation)
    assert open_offers(soon) == []
    later = f.slot(venue=city["venue"], vaccine=city["vaccine"], starts_at=timezone.now() + timedelta(hours=4),
                   capacity=1)
    reservation = book(f.resident(), later, wants=False)
    services.reservation_cancel(actor=SYSTEM, reservation=reservation)
    assert len(open_offers(later)) == 3
    # An offer never outlives its slot's start... and holds at most MOVE_UP_OFFER_MINUTES.
    assert all(o.expires_at <= later.starts_at for o in open_offers(later))


@pytest.mark.django_db
def test_no_offer_when_the_city_turns_the_feature_off(city, settings):
    settings.YOYAKU = {**settings.YOYAKU, "MOVE_UP_OFFERS": False}
    services.reservation_cancel(actor=SYSTEM, reservation=city["people"]["A"])
    assert MoveUpOffer.objects.count() == 0
    assert not Notification.objects.filter(kind=Notification.Kind.MOVE_UP_OFFER).exists()


@pytest.mark.django_db
def test_candidates_without_an_email_or_with_an_earlier_offer_are_passed_over(city):
    s1, s2 = city["slots"][:2]
    p = city["people"]
    Reservation.objects.filter(pk=p["C"].pk).update(email="")
    services.reservation_cancel(actor=SYSTEM, reservation=p["A"])
    assert offered_to(s1) == [p["B"].pk, p["D"].pk]
    # D holds an open offer for S1 (earlier than S2): S2's new place goes to nobody else (C has no email).
    services.slot_set_capacity(actor=SYSTEM, slot=s2, capacity=2)
    assert offered_to(s2) == []


# --- Accepting ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_accepting_swaps_atomically_and_the_others_keep_their_booking(city):
    s1, s2, s3, s4 = city["slots"]
    p = city["people"]
    services.reservation_cancel(actor=SYSTEM, reservation=p["A"])
    offer = accept(p["B"], s1)
    assert offer.status == MoveUpOffer.Status.ACCEPTED and offer.accepted_at is not None
    assert Reservation.objects.get(pk=p["B"].pk).slot_id == s1.pk
    assert counters([s1, s2, s3, s4]) == [1, 0, 1, 1]
    # The place is gone: C's and D's offers for S1 are taken, their bookings unchanged.
    statuses = dict(MoveUpOffer.objects.filter(slot=s1).values_list("reservation_id", "status"))
    assert statuses == {p["B"].pk: "accepted", p["C"].pk: "taken", p["D"].pk: "taken"}
    assert Reservation.objects.get(pk=p["C"].pk).slot_id == s3.pk
    with pytest.raises(OfferClosed) as closed:
        accept_token(p["C"], s1)
    assert closed.value.status == "taken"
    assert "has not changed" in closed.value.message
    # B's old place (S2) is offered on, first to C, then D.
    assert offered_to(s2) == [p["C"].pk, p["D"].pk]
    event = AuditEvent.objects.get(action="move_up_offer.accept")
    assert (event.actor_kind, event.reservation_id) == ("resident", p["B"].pk)
    assert event.data == {"from_slot": s2.pk, "to_slot": s1.pk}
    assert AuditEvent.objects.filter(action="reservation.move_up", reservation=p["B"]).count() == 1
    assert Notification.objects.filter(reservation=p["B"], kind=Notification.Kind.CHANGED).count() == 1
    assert integrity_ok()


def accept_token(reservation, slot):
    offer = MoveUpOffer.objects.get(reservation=reservation, slot=slot)
    return services.move_up_offer_accept(actor=services.Actor.for_resident(reservation.resident), token=offer.token)


@pytest.mark.django_db
def test_a_chain_of_three_moves_end_to_end(city):
    s1, s2, s3, s4 = city["slots"]
    p = city["people"]
    services.reservation_cancel(actor=SYSTEM, reservation=p["A"])  # A cancels S1
    accept(p["B"], s1)                                                # B moves up S2 -> S1
    assert offered_to(s2) == [p["C"].pk, p["D"].pk]                   # B's old place offered
    accept(p["C"], s2)                                                # C moves up S3 -> S2
    assert offered_to(s3) == [p["D"].pk]                              # C's old place offered
    assert MoveUpOffer.objects.get(slot=s2, reservation=p["D"]).status == "taken"
    accept(p["D"], s3)                                                # D moves up S4 -> S3
    assert offered_to(s4) == []                                       # nobody is later than S4
    where = {name: Reservation.objects.get(pk=r.pk).slot_id for name, r in p.items() if name != "A"}
    assert where == {"B": s1.pk, "C": s2.pk, "D": s3.pk}
    assert counters([s1, s2, s3, s4]) == [1, 1, 1, 0]
    assert MoveUpOffer.objects.filter(status=MoveUpOffer.Status.OPEN).count() == 0
    assert AuditEvent.objects.filter(action="move_up_offer.accept").count() == 3
    assert integrity_ok()


@pytest.mark.django_db
def test_the_link_works_once(city):
    s1 = city["slots"][0]
    p = city["people"]
    services.reservation_cancel(actor=SYSTEM, reservation=p["A"])
    offer = MoveUpOffer.objects.get(slot=s1, reservation=p["B"])
    actor = services.Actor.for_resident(p["B"].resident)
    services.move_up_offer_accept(actor=actor, token=offer.token)
    with pytest.raises(OfferClosed) as closed:
        services.move_up_offer_accept(actor=actor, token=offer.token)
    assert closed.value.status == "accepted"
    assert "already been used" in closed.value.message
    assert AuditEvent.objects.filter(action="move_up_offer.accept").count() == 1
    assert integrity_ok()


@pytest.mark.django_db
def test_an_expired_link_changes_nothing(city):
    s1, s2 = city["slots"][:2]
    p = city["people"]
    services.reservation_cancel(actor=SYSTEM, reservation=p["A"])
    offer = MoveUpOffer.objects.get(slot=s1, reservation=p["B"])
    actor = services.Actor.for_resident(p["B"].resident)
    later = offer.expires_at + timedelta(seconds=1)
    result = services.move_up_offer_accept(actor=actor, token=offer.token, now=later)
    assert result.status == "expired"
    assert MoveUpOffer.objects.get(pk=offer.pk).status == "expired"
    with pytest.raises(OfferClosed) as closed:
        services.move_up_offer_accept(actor=actor, token=offer.token)
    assert closed.value.status == "expired"
    assert Reservation.objects.get(pk=p["B"].pk).slot_id == s2.pk
    assert counters([s1, s2]) == [0, 1]


@pytest.mark.django_db
def test_another_resident_cannot_use_the_link(city):
    s1 = city["slots"][0]
    p = city["people"]
    services.reservation_cancel(actor=SYSTEM, reservation=p["A"])
    offer = MoveUpOffer.objects.get(slot=s1, reservation=p["B"])
    with pytest.raises(services.NotYours):
        services.move_up_offer_accept(actor=services.Actor.for_resident(p["C"].resident), token=offer.token)
    with pytest.raises(MoveUpOffer.DoesNotExist):
        services.move_up_offer_accept(actor=services.Actor.for_resident(p["B"].resident), token="no-such-token")
    assert MoveUpOffer.objects.get(pk=offer.pk).status == "open"


@pytest.mark.django_db
def test_an_offer_whose_reservation_was_cancelled_meanwhile_is_withdrawn(city):
    s1 = city["slots"][0]
    p = city["people"]
    services.reservation_cancel(actor=SYSTEM, reservation=p["A"])
    offer = MoveUpOffer.objects.get(slot=s1, reservation=p["B"])
    services.reservation_cancel(actor=SYSTEM, reservation=p["B"])
    result = services.move_up_offer_accept(actor=services.Actor.for_resident(p["B"].resident), token=offer.token)
    assert result.status == "withdrawn"
    assert counters([s1]) == [0] and integrity_ok()


@pytest.mark.django_db
def test_a_full_slot_makes_the_offer_taken_and_the_booking_stays(city):
    s1, s3 = city["slots"][0], city["slots"][2]
    p = city["people"]
    services.reservation_cancel(actor=SYSTEM, reservation=p["A"])
    # Someone books the place directly (not through an offer): the offers are still open, the place is not.
    book(f.resident(), s1, wants=False)
    result = accept(p["C"], s1)
    assert result.status == "taken"
    assert Reservation.objects.get(pk=p["C"].pk).slot_id == s3.pk
    assert AuditEvent.objects.filter(action="move_up_offer.taken").count() == 1
    assert integrity_ok()


# --- The email, through a real SMTP server and the worker ---------------------------------------------------


@pytest.mark.django_db
def test_the_offer_email_arrives_with_the_link(city, smtp):  # noqa: F811
    s1 = city["slots"][0]
    p = city["people"]
    Notification.objects.update(status=Notification.Status.SKIPPED)  # the booking confirmations: not this test
    services.reservation_cancel(actor=SYSTEM, reservation=p["A"])
    Notification.objects.filter(kind=Notification.Kind.CANCELLED).update(status=Notification.Status.SKIPPED)
    call_command("run_worker", "--until-idle", "--no-reminders")
    assert sorted(m["To"] for m in smtp.messages) == ["b@example.jp", "c@example.jp", "d@example.jp"]
    offer = MoveUpOffer.objects.get(slot=s1, reservation=p["B"])
    [message] = [m for m in smtp.messages if m["To"] == "b@example.jp"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert f"https://yoyaku.example.jp/move-up/{offer.token}/" in body
    assert p["B"].code in message["Subject"]
    assert "North Clinic" in body and "60 minutes" in body
    assert "Nothing changes unless you accept" in body
    assert Notification.objects.filter(kind=Notification.Kind.MOVE_UP_OFFER, status="sent").count() == 3


@pytest.mark.django_db
def test_an_offer_closed_before_its_email_left_is_not_sent(city, smtp):  # noqa: F811
    s1 = city["slots"][0]
    p = city["people"]
    Notification.objects.update(status=Notification.Status.SKIPPED)
    services.reservation_cancel(actor=SYSTEM, reservation=p["A"])
    Notification.objects.filter(kind=Notification.Kind.CANCELLED).update(status=Notification.Status.SKIPPED)
    accept(p["B"], s1)  # before the worker ran: C's and D's offers for S1 are taken
    Notification.objects.filter(kind=Notification.Kind.CHANGED).update(status=Notification.Status.SKIPPED)
    MoveUpOffer.objects.filter(slot=city["slots"][1]).update(status="withdrawn")  # S2's offers: not this test
    call_command("run_worker", "--until-idle", "--no-reminders")
    assert smtp.messages == []
    assert Notification.objects.filter(kind=Notification.Kind.MOVE_UP_OFFER, status="sent").count() == 0


# --- Two residents accept the same place at the same moment ----------------------------------------------


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_residents_accepting_the_same_place_at_once_exactly_one_gets_it(offers_on):
    offers_on.YOYAKU = {**offers_on.YOYAKU, "MOVE_UP_OFFERS_PER_PLACE": 8}
    f.open_window(opens_at=timezone.now() - timedelta(days=30))
    pfz = f.vaccine(code="PFZ")
    venue = f.venue(vaccines=[pfz])
    early = f.slot(venue=venue, vaccine=pfz, starts_at=f.at(2), capacity=1)
    later = [f.slot(venue=venue, vaccine=pfz, starts_at=f.at(10 + i), capacity=1) for i in range(8)]
    first = book(f.resident(email="first@example.jp"), early, wants=False)
    waiting = [book(f.resident(email=f"w{i}@example.jp"), slot) for i, slot in enumerate(later)]
    services.reservation_cancel(actor=SYSTEM, reservation=first)
    offers = list(MoveUpOffer.objects.filter(slot=early).select_related("reservation__resident"))
    assert len(offers) == 8

    def job(offer):
        return lambda: services.move_up_offer_accept(actor=services.Actor.for_resident(offer.reservation.resident),
                                                    token=offer.token)

    results = storm([job(offer) for offer in offers])
    unexpected = [r for r in results if isinstance(r, BaseException) and not isinstance(r, OfferClosed)]
    assert unexpected == []
    won = [r for r in results if isinstance(r, MoveUpOffer) and r.status == "accepted"]
    assert len(won) == 1
    lost = [r for r in results if r not in won]
    assert all((isinstance(r, OfferClosed) and r.status == "taken") or (isinstance(r, MoveUpOffer)
               and r.status == "taken") for r in lost), results
    winner = Reservation.objects.get(pk=won[0].reservation_id)
    assert winner.slot_id == early.pk
    for reservation in waiting:
        if reservation.pk != winner.pk:
            assert Reservation.objects.get(pk=reservation.pk).slot_id == reservation.slot_id
    assert Slot.objects.get(pk=early.pk).booked == 1
    assert sum(Slot.objects.get(pk=s.pk).booked for s in later) == 7
    statuses = sorted(MoveUpOffer.objects.filter(slot=early).values_list("status", flat=True))
    assert statuses == ["accepted"] + ["taken"] * 7
    assert_integrity()


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_offers_made_while_candidates_act_at_once_keep_counters_true(offers_on):
    """Cancellations make offers to residents who are, at the same moment, changing, cancelling or accepting:
    no deadlock, no unexpected error, counters true."""
    f.open_window(opens_at=timezone.now() - timedelta(days=30))
    pfz = f.vaccine(code="PFZ")
    venue = f.venue(vaccines=[pfz])
    slots = [f.slot(venue=venue, vaccine=pfz, starts_at=f.at(3 + d), capacity=4) for d in range(8)]
    reservations = [book(f.resident(email=f"r{i}@example.jp"), slots[i % 8], wants=True) for i in range(30)]
    early = [r for r in reservations if r.slot_id in {s.pk for s in slots[:3]}]
    services.reservation_cancel(actor=SYSTEM, reservation=early[0])  # some offers open before the storm
    offers = list(MoveUpOffer.objects.filter(status="open").select_related("reservation__resident"))
    jobs = [lambda r=r: services.reservation_cancel(actor=SYSTEM, reservation=r) for r in early[1:]]
    jobs += [lambda r=r: services.reservation_change(actor=SYSTEM, reservation=r, slot_id=slots[7].pk)
             for r in reservations[20:26]]
    jobs += [lambda o=o: services.move_up_offer_accept(actor=services.Actor.for_resident(o.reservation.resident),
                                                      token=o.token) for o in offers]
    results = storm(jobs)
    unexpected = [r for r in results if isinstance(r, BaseException) and not isinstance(r, BookingError)]
    assert unexpected == []
    assert_integrity()
    assert sum(s.booked for s in Slot.objects.all()) == Reservation.objects.active().count()
