"""The demo city (`manage.py demo`): its shape, its determinism, --if-empty, and that it is consistent."""

import base64
import re
from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from yoyaku.booking import demo_data, selectors
from yoyaku.booking.models import (
    AuditEvent,
    BookingWindow,
    DoseRecord,
    Notice,
    Reservation,
    Resident,
    Slot,
    Vaccine,
    Venue,
)
from yoyaku.console.roles import venue_ids_of
from yoyaku.notify.models import Notification

# Each test loads the demo city (about 1.5 s): left out of `make test-fast`.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

KATAKANA = re.compile(r"^[ァ-ヶー]+$")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def demo(*args):
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def fingerprint() -> dict:
    """Everything the demo wrote that a seed decides (not ids, not reservation codes, not clock times)."""
    return {
        "residents": list(Resident.objects.order_by("ticket_number").values_list(
            "ticket_number", "birth_date", "family_name", "given_name", "family_name_kana", "given_name_kana",
            "phone", "email", "postal_code", "address", "groups", "active")),
        "venues": list(Venue.objects.order_by("code").values_list("code", "name", "kind", "area", "address", "phone")),
        "slots": list(Slot.objects.order_by("venue__code", "vaccine__code", "starts_at").values_list(
            "venue__code", "vaccine__code", "starts_at", "ends_at", "capacity", "booked", "dose_mask")),
        "reservations": sorted(Reservation.objects.values_list(
            "resident__ticket_number", "dose_number", "slot__venue__code", "slot__starts_at", "status",
            "wants_move_up", "channel", "booker_name", "booker_relation")),
        "doses": sorted(DoseRecord.objects.values_list("resident__ticket_number", "dose_number", "vaccine__code",
                                                       "given_on", "lot")),
        "notices": list(Notice.objects.order_by("title_ja").values_list("title_ja", "body_ja", "title_en")),
        "windows": list(BookingWindow.objects.values_list("dose_mask", "born_on_or_before", "born_after", "group")),
    }


def fingerprint_of_a_load(*args) -> dict:
    """Load, read, and roll the load back (inside the test's own transaction)."""
    with transaction.atomic():
        demo(*args)
        result = fingerprint()
        transaction.set_rollback(True)
    return result


# --- Shape ----------------------------------------------------------------------------------------


def test_demo_creates_venues_in_every_area_with_both_vaccines():
    demo()
    venues = list(Venue.objects.prefetch_related("vaccines"))
    assert 8 <= len(venues) <= 12
    assert {venue.area for venue in venues} == {"北地区", "中央地区", "南地区", "浄法寺地区"}
    assert {venue.kind for venue in venues} == {Venue.Kind.CLINIC, Venue.Kind.GROUP}
    assert all(venue.name and venue.address and venue.phone and venue.notes for venue in venues)
    pfz, mdn = Vaccine.objects.get(code="PFZ"), Vaccine.objects.get(code="MDN")
    assert (pfz.name, pfz.next_dose_min_days, pfz.doses_per_vial, pfz.min_age) == ("ファイザー社製", 21, 6, 12)
    assert (mdn.name, mdn.next_dose_min_days, mdn.doses_per_vial, mdn.min_age) == ("武田/モデルナ社製", 28, 10, 18)


def test_demo_slots_cover_four_weeks_from_tomorrow_at_every_venue_for_vaccines_it_offers():
    demo()
    tomorrow = timezone.localdate() + timedelta(days=1)
    days = {timezone.localdate(starts_at) for starts_at in Slot.objects.values_list("starts_at", flat=True)}
    assert min(days) >= tomorrow and max(days) <= tomorrow + timedelta(days=27)
    assert len(days) >= 20  # most days of the four weeks have a venue open
    for venue in Venue.objects.prefetch_related("vaccines"):
        offered = {vaccine.pk for vaccine in venue.vaccines.all()}
        used = set(venue.slots.values_list("vaccine_id", flat=True))
        assert used and used <= offered, venue.code
    assert Slot.objects.filter(capacity__lt=1).count() == 0
    assert AuditEvent.objects.filter(action="slot.generate").count() >= Venue.objects.count()


def test_demo_residents_are_of_all_ages_with_ten_digit_tickets_and_katakana_kana():
    demo()
    residents = list(Resident.objects.all())
    assert len(residents) == 1000
    assert all(re.fullmatch(r"[0-9]{10}", r.ticket_number) for r in residents)
    assert all(date(1930, 1, 1) <= r.birth_date <= date(2012, 12, 31) for r in residents)
    assert all(KATAKANA.match(r.family_name_kana) and KATAKANA.match(r.given_name_kana) for r in residents)
    decades = {r.birth_date.year // 10 * 10 for r in residents}
    assert decades == {1930, 1940, 1950, 1960, 1970, 1980, 1990, 2000, 2010}
    with_email = sum(1 for r in residents if r.email)
    assert 100 < with_email < 500


def test_demo_opens_booking_now_to_everyone_for_doses_1_and_2():
    demo()
    window = BookingWindow.objects.first_come().get()  # the demo also has an allocation window
    assert window.doses == [1, 2]
    assert (window.born_on_or_before, window.born_after, window.group, window.closes_at) == (None, None, "", None)
    assert window.opens_at <= timezone.now()


def test_demo_notices_are_published_in_japanese_and_english_and_say_what_to_bring():
    demo()
    notices = list(Notice.objects.published())
    assert 2 <= len(notices) <= 3
    assert all(n.title_ja and n.body_ja and n.title_en and n.body_en for n in notices)
    bodies = " ".join(n.body_ja for n in notices)
    for item in ("接種券", "本人確認書類", "お薬手帳"):
        assert item in bodies
    assert any(n.title_easy and "お薬手帳" in n.body_easy for n in notices)  # one in easy Japanese too


def test_demo_staff_users_are_in_their_groups_with_the_printed_passwords():
    output = demo()
    User = get_user_model()
    for username, group, password in [("admin", "city_admin", "demo-admin-2026"),
                                      ("operator", "call_centre", "demo-operator-2026"),
                                      ("venue1", "venue_staff", "demo-venue1-2026")]:
        user = User.objects.get(username=username)
        assert user.check_password(password)
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert re.search(rf"{username}\s+{password}", output)
    assert User.objects.get(username="admin").is_superuser
    assert not User.objects.filter(is_superuser=True).exclude(username="admin").exists()
    assert set(Group.objects.values_list("name", flat=True)) >= {"city_admin", "call_centre", "venue_staff"}


def test_the_demos_venue_staff_see_their_clinic_only():
    """The console's part of the demo (booking may not import the console's StaffProfile)."""
    demo()
    venue1 = get_user_model().objects.get(username="venue1")
    assert venue_ids_of(venue1) == frozenset({Venue.objects.get(code="C01").pk})
    assert not get_user_model().objects.filter(staff_profile__isnull=False).exclude(username="venue1").exists()


def test_demo_reservations_go_through_the_booking_service():
    demo()
    reservations = Reservation.objects.all()
    assert reservations.active().count() >= 50
    assert reservations.filter(dose_number=2).exists()
    assert reservations.filter(status=Reservation.Status.CANCELLED).exists()
    assert AuditEvent.objects.filter(action="reservation.book").count() == reservations.count()
    assert Notification.objects.count() >= reservations.count()
    assert all(r.slot.starts_at > timezone.now() for r in reservations.select_related("slot"))


def test_demo_printed_resident_logins_exist_have_no_reservation_and_may_book_dose_1():
    output = demo()
    printed = re.findall(r"^\s+([0-9]{10})\s+([0-9]{8})\s+([0-9]+)", output, flags=re.MULTILINE)
    assert len(printed) == 3
    today = timezone.localdate()
    for ticket, password, age in printed:
        resident = Resident.objects.get(ticket_number=ticket)
        assert resident.active
        assert resident.birth_date.strftime("%Y%m%d") == password
        assert int(age) == (today.year - resident.birth_date.year
                            - ((today.month, today.day) < (resident.birth_date.month, resident.birth_date.day)))
        assert not resident.reservations.exists()
        assert not resident.doses.exists()
        assert selectors.dose_eligibility(resident=resident, dose_number=1, now=timezone.now()).allowed
    assert "Resident site / 住民向けサイト: http://127.0.0.1:8000/\n" in output
    assert "Staff console / 職員: http://127.0.0.1:8000/console/\n" in output


# --- The banner and the second factor (issue 17) -----------------------------------------------------------


def test_demo_banner_addresses_follow_the_site_url_setting(settings):
    """make run sets YOYAKU_SITE_URL from HOST and PORT: the banner says the same address as the emails' links,
    and staff go to the console, not the Django admin."""
    settings.DEBUG = True  # as make run sets it (pytest-django turns it off)
    settings.YOYAKU = {**settings.YOYAKU, "SITE_URL": "http://127.0.0.1:18810"}
    output = demo("--residents", "100")
    assert "Resident site / 住民向けサイト: http://127.0.0.1:18810/\n" in output
    assert "Staff console / 職員: http://127.0.0.1:18810/console/\n" in output
    assert "Emails sent by the worker: http://127.0.0.1:18810/dev/mail/" in output
    assert ":8000" not in output and "/admin/" not in output


def test_demo_with_debug_enrols_the_demo_staff_with_printed_keys_that_give_the_code(settings):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yoyaku.console.management.commands.demo import DEMO_DEVICE

    settings.DEBUG = True
    output = demo("--residents", "100")
    keys = dict(re.findall(r"^  (\w+) +demo-\w+-2026 +([A-Z2-7]{32}) ", output, flags=re.MULTILINE))
    assert set(keys) == {"admin", "operator", "venue1"}
    assert "demo only, because DEBUG is on" in output and "never in production" in output
    assert "make totp STAFF=admin" in output and "oathtool --totp -b KEY" in output
    for username, key in keys.items():
        device = TOTPDevice.objects.get(user__username=username)
        assert (device.name, device.confirmed) == (DEMO_DEVICE, True)
        # What oathtool or an authenticator app computes from the printed key is what the console accepts.
        code = TOTP(base64.b32decode(key)).token()
        assert device.verify_token(f"{code:06d}")
    # `make totp STAFF=operator` (manage.py demo --totp operator) prints the code of now.
    printed = demo("--totp", "operator").strip()
    assert re.fullmatch(r"[0-9]{6}", printed)
    assert printed == f"{TOTP(base64.b32decode(keys['operator'])).token():06d}"
    # Printed again, the same keys, when the database is already there.
    assert dict(re.findall(r"^  (\w+) +demo-\w+-2026 +([A-Z2-7]{32}) ", demo("--if-empty"), flags=re.MULTILINE)) == keys


def test_demo_without_debug_enrols_nothing_and_prints_no_key(settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.DEBUG = False
    output = demo("--residents", "100")
    assert not TOTPDevice.objects.exists()
    assert not re.search(r"[A-Z2-7]{32}", output)
    assert "the first login shows a QR code" in output
    assert "/dev/mail/" not in output  # the dev inbox is a 404 without DEBUG
    with pytest.raises(CommandError, match="only in the demo"):
        demo("--totp", "admin")


def test_demo_keys_are_printed_only_with_debug_even_when_enrolled(settings):
    settings.DEBUG = True
    demo("--residents", "100")
    settings.DEBUG = False
    assert not re.search(r"[A-Z2-7]{32}", demo("--if-empty"))


def test_demo_gives_an_existing_user_no_device(settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.DEBUG = True
    get_user_model().objects.create_user("admin", password="their-own-password-123")
    output = demo("--residents", "100")
    assert not TOTPDevice.objects.filter(user__username="admin").exists()
    assert set(TOTPDevice.objects.values_list("user__username", flat=True)) == {"operator", "venue1"}
    assert re.search(r"^  admin +\(existing user: password unchanged\) +- ", output, flags=re.MULTILINE)
    with pytest.raises(CommandError, match="no demo authenticator key"):
        demo("--totp", "admin")


def test_demo_leaves_every_counter_consistent():
    demo()
    out = StringIO()
    call_command("check_integrity", stdout=out)
    assert out.getvalue().startswith("ok:")
    for slot in Slot.objects.all():
        assert slot.booked == slot.reservations.exclude(status=Reservation.Status.CANCELLED).count()


# --- Determinism and re-runs ----------------------------------------------------------------------


def test_demo_is_deterministic_for_a_seed():
    first = fingerprint_of_a_load("--residents", "200", "--seed", "7")
    second = fingerprint_of_a_load("--residents", "200", "--seed", "7")
    assert first == second
    assert len(first["residents"]) == 200
    assert first["reservations"]


def test_demo_with_another_seed_gives_other_residents():
    first = fingerprint_of_a_load("--residents", "200", "--seed", "7")
    other = fingerprint_of_a_load("--residents", "200", "--seed", "8")
    assert first["residents"] != other["residents"]
    assert first["venues"] == other["venues"]


def test_demo_plan_is_deterministic_for_a_seed():
    assert demo_data.plan_residents(count=50, seed=3) == demo_data.plan_residents(count=50, seed=3)
    assert len({row["ticket_number"] for row in demo_data.plan_residents(count=2000, seed=3)}) == 2000


def test_demo_if_empty_does_nothing_the_second_time():
    demo("--if-empty", "--residents", "100")
    before = fingerprint()
    events = AuditEvent.objects.count()
    output = demo("--if-empty", "--residents", "100")
    assert fingerprint() == before
    assert AuditEvent.objects.count() == events
    assert "nothing loaded" in output
    assert "2000000011" in output and "demo-admin-2026" in output


def test_demo_if_empty_leaves_a_database_with_a_city_of_its_own_alone():
    Vaccine.objects.create(code="PFZ", name="Pfizer")
    output = demo("--if-empty")
    assert "nothing loaded" in output
    assert not Resident.objects.exists()
    assert Vaccine.objects.count() == 1


def test_demo_without_if_empty_refuses_a_database_with_data():
    demo("--residents", "100")
    with pytest.raises(CommandError, match="empty database"):
        demo("--residents", "100")
    assert Resident.objects.count() == 100


def test_demo_keeps_the_password_of_an_existing_staff_user():
    get_user_model().objects.create_user("admin", password="their-own-password-123")
    output = demo("--residents", "100")
    admin = get_user_model().objects.get(username="admin")
    assert admin.check_password("their-own-password-123")
    assert not admin.is_superuser
    assert "demo-admin-2026" not in output
    assert admin.groups.filter(name="city_admin").exists()


def test_demo_refuses_too_few_residents():
    with pytest.raises(CommandError, match="at least"):
        demo("--residents", "2")
    assert not Resident.objects.exists()
