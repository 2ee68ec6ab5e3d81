"""The waiting list on the resident site (/waiting-list/<dose>/): once every place is taken, a resident puts
their name down with the address the offers go to, and can take it off again."""

import pytest

from tests import factories as f
from yoyaku.booking import services
from yoyaku.booking.models import AuditEvent, Slot, StandbyEntry

pytestmark = pytest.mark.django_db


def fill(slots):
    """Every place gone (closed slots count as taken for the sold-out notice; booking them all is slower)."""
    Slot.objects.filter(pk__in=[slot.pk for slot in slots]).update(closed=True)


def test_a_sold_out_top_page_offers_the_waiting_list_and_then_says_the_resident_is_on_it(logged_in, city):
    assert 'href="/waiting-list/1/"' not in logged_in.get("/").content.decode()  # places left: book instead
    fill(city["slots"])
    html = logged_in.get("/").content.decode()
    assert 'href="/waiting-list/1/"' in html and "空き待ちに登録する" in html
    logged_in.post("/waiting-list/1/", {"email": "taro@example.jp"})
    html = logged_in.get("/").content.decode()
    assert "空き待ちに登録済みです。" in html and "空き待ちに登録する" not in html


def test_joining_records_the_address_and_is_audited_as_the_residents_act(logged_in, city, resident):
    fill(city["slots"])
    page = logged_in.get("/waiting-list/1/").content.decode()
    assert 'value="taro@example.jp"' in page  # the address the city has, to confirm or change
    response = logged_in.post("/waiting-list/1/", {"email": "ｔａｒｏ２@example.jp"})
    assert response.status_code == 302 and response["Location"] == "/"
    entry = StandbyEntry.objects.get(resident=resident)
    assert (entry.status, entry.venue_id, entry.dose_number, entry.email) == ("waiting", None, 1, "taro2@example.jp")
    event = AuditEvent.objects.get(action="standby.join")
    assert event.actor_kind == "resident" and event.resident_id == resident.pk
    assert "taro2@example.jp" not in str(event.data)  # the address is not copied into the audit trail


def test_a_bad_address_gets_a_message_and_changes_nothing(logged_in, city):
    fill(city["slots"])
    for email in ("", "not-an-address"):
        response = logged_in.post("/waiting-list/1/", {"email": email})
        assert response.status_code == 200
        html = response.content.decode()
        assert "メールアドレスを入力してください" in html and "エラー" in html
    assert StandbyEntry.objects.count() == 0


def test_leaving_the_waiting_list_withdraws_the_entry(logged_in, city, resident):
    fill(city["slots"])
    logged_in.post("/waiting-list/1/", {"email": "taro@example.jp"})
    page = logged_in.get("/waiting-list/1/").content.decode()
    assert "taro@example.jp" in page and "空き待ちの登録を取り消す" in page
    response = logged_in.post("/waiting-list/1/")
    assert response.status_code == 302
    assert StandbyEntry.objects.get(resident=resident).status == "withdrawn"
    assert AuditEvent.objects.filter(action="standby.withdraw", actor_kind="resident").count() == 1


def test_a_resident_who_holds_a_booking_cannot_join_for_that_dose(logged_in, city, resident):
    services.reservation_book(actor=services.Actor.system(), resident=resident, slot_id=city["slots"][0].pk,
                              dose_number=1)
    response = logged_in.post("/waiting-list/1/", {"email": "taro@example.jp"})
    assert response.status_code == 200
    assert "この回はすでに予約があります" in response.content.decode()
    assert StandbyEntry.objects.count() == 0


def test_the_page_needs_a_login(client, city):
    response = client.get("/waiting-list/1/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.post("/waiting-list/1/", {"email": "x@example.jp"}).status_code in (302, 403)
    assert StandbyEntry.objects.count() == 0


def test_another_residents_entry_is_not_shown_or_touched(logged_in, city):
    other = f.resident()
    entry = services.standby_join(actor=services.Actor.system(), resident=other, dose_number=1,
                                  email="other@example.jp")
    page = logged_in.get("/waiting-list/1/").content.decode()
    assert "other@example.jp" not in page
    logged_in.post("/waiting-list/1/")
    assert StandbyEntry.objects.get(pk=entry.pk).status == "waiting"
