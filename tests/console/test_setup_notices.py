"""Notices in the console: the list with statuses, writing and scheduling in Japanese and English (Chinese
and Korean optional), editing, withdrawing now."""

from datetime import timedelta

import pytest
from django.utils import timezone

from yoyaku.booking.models import AuditEvent, Notice
from yoyaku.console.roles import CALL_CENTRE, CITY_ADMIN

pytestmark = pytest.mark.django_db

TEXTS = {"title_ja": "接種会場の変更", "body_ja": "本文です。", "title_en": "Venue change", "body_en": "The text.",
         "title_zh_hans": "", "body_zh_hans": "", "title_ko": "", "body_ko": ""}


@pytest.fixture
def admin(staff_client):
    client = staff_client(CITY_ADMIN)
    client.cookies["django_language"] = "en"
    return client


def summary(html: str) -> str:
    start = html.index('class="error-summary"')
    return html[start:html.index("</div>", start)]


def moment(prefix: str, when) -> dict:
    local = timezone.localtime(when)
    return {f"{prefix}_year": local.year, f"{prefix}_month": local.month, f"{prefix}_day": local.day,
            f"{prefix}_time": local.strftime("%H:%M")}


def notice(**fields):
    values = {"title_ja": "お知らせ", "body_ja": "本文", "title_en": "Notice", "body_en": "Text"}
    values.update(fields)
    return Notice.objects.create(**values)


def test_notices_list_shows_each_status(admin):
    now = timezone.now()
    notice(title_ja="公開中", publish_from=now - timedelta(days=1))
    notice(title_ja="予定", publish_from=now + timedelta(days=1), title_ko="예정")
    notice(title_ja="取下げ", publish_from=now - timedelta(days=3), publish_until=now - timedelta(days=1))
    html = admin.get("/console/setup/notices/").content.decode()
    assert "<strong>Published</strong>" in html and "<td>Scheduled" in html and ">Withdrawn<" in html
    assert "한국어" in html
    assert html.count("Withdraw now") == 2


def test_write_and_schedule_a_notice(admin):
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(days=1)
    form = admin.get("/console/setup/notices/new/").content.decode()
    assert 'name="publish_from_time"' in form
    response = admin.post("/console/setup/notices/new/", {
        **TEXTS, "title_ko": "공지", "body_ko": "본문", **moment("publish_from", start),
        **moment("publish_until", start + timedelta(days=7))})
    assert response.status_code == 302
    saved = Notice.objects.get()
    assert (saved.title_ja, saved.title_ko, saved.publish_from, saved.publish_until) == (
        "接種会場の変更", "공지", start, start + timedelta(days=7))
    assert not Notice.objects.published().exists()
    assert AuditEvent.objects.get(action="notice.create").actor_user_id == admin.user.pk


def test_only_japanese_is_required(admin):
    response = admin.post("/console/setup/notices/new/", {
        **{k: "" for k in TEXTS}, "title_ko": "공지", **moment("publish_from", timezone.now())})
    assert response.status_code == 200
    html = response.content.decode()
    errors = summary(html)
    assert "Enter the title in Japanese." in errors and "Enter the text in Japanese." in errors
    assert "English" not in errors
    assert 'value="공지"' in html  # the answers are re-shown
    assert not Notice.objects.exists()


def test_a_notice_in_japanese_only_is_saved_and_the_list_says_which_languages_are_missing(admin):
    """Issue 12 (5): a notice could not be saved without an English title and text."""
    response = admin.post("/console/setup/notices/new/", {
        **{k: "" for k in TEXTS}, "title_ja": "接種会場の変更", "body_ja": "本日は休診です。",
        "title_ko": "공지", "body_ko": "휴진", **moment("publish_from", timezone.now())})
    assert response.status_code == 302, summary(response.content.decode())
    notice = Notice.objects.get()
    assert (notice.title_en, notice.body_en) == ("", "")
    assert notice.in_language("en") == ("接種会場の変更", "本日は休診です。")  # residents reading English
    html = admin.get("/console/setup/notices/").content.decode()
    assert "Not translated (shown in Japanese): English, 中文" in html
    edit = admin.get(f"/console/setup/notices/{notice.pk}/").content.decode()
    assert "Not translated (shown in Japanese): English, 中文" in edit


@pytest.mark.parametrize(("fields", "message", "target"), [
    ({"publish_from_year": "", "publish_from_month": "", "publish_from_day": "", "publish_from_time": ""},
     "Enter when the notice is shown from.", "id_publish_from_0"),
    ({"publish_until_year": "2000", "publish_until_month": "1", "publish_until_day": "1",
      "publish_until_time": "10:00"}, "must be after", "id_publish_until_0"),
    ({"publish_from_month": "13"}, "is not a date in the calendar", "id_publish_from_0"),
    ({"title_ja": "x" * 201}, "at most 200 characters", "id_title_ja"),
])
def test_notice_form_garbage_gets_a_message(admin, fields, message, target):
    data = {**TEXTS, **moment("publish_from", timezone.now()), **fields}
    response = admin.post("/console/setup/notices/new/", data)
    assert response.status_code == 200
    errors = summary(response.content.decode())
    assert message in errors and f'href="#{target}"' in errors


def test_edit_shows_the_notice_and_saves_changes(admin):
    existing = notice(title_ja="旧", publish_from=timezone.now() - timedelta(days=1))
    html = admin.get(f"/console/setup/notices/{existing.pk}/").content.decode()
    assert 'value="旧"' in html and "<strong>Published</strong>" in html
    response = admin.post(f"/console/setup/notices/{existing.pk}/", {
        **TEXTS, **moment("publish_from", existing.publish_from), "reason": "typo"})
    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.title_ja == "接種会場の変更"
    assert AuditEvent.objects.get(action="notice.update").reason == "typo"


def test_withdraw_now(admin):
    existing = notice(publish_from=timezone.now() - timedelta(days=1))
    assert Notice.objects.published().exists()
    assert "Residents stop seeing it now" in admin.get(
        f"/console/setup/notices/{existing.pk}/withdraw/").content.decode()
    response = admin.post(f"/console/setup/notices/{existing.pk}/withdraw/", {"reason": "wrong date"})
    assert response.status_code == 302
    assert not Notice.objects.published().exists()
    assert AuditEvent.objects.get(action="notice.withdraw").reason == "wrong date"
    html = admin.get(f"/console/setup/notices/{existing.pk}/withdraw/").content.decode()
    assert "This notice is no longer shown." in html


def test_unknown_notice_is_404(admin):
    assert admin.get("/console/setup/notices/999999/").status_code == 404
    assert admin.get("/console/setup/notices/999999/withdraw/").status_code == 404


def test_operators_cannot_write_notices(staff_client):
    client = staff_client(CALL_CENTRE)
    assert client.post("/console/setup/notices/new/", {**TEXTS, **moment("publish_from", timezone.now())}
                       ).status_code == 403
    assert not Notice.objects.exists()


def test_the_easy_japanese_version_is_optional_saved_and_audited(admin):
    form = admin.get("/console/setup/notices/new/").content.decode()
    assert 'name="title_easy"' in form and 'name="body_easy"' in form and '<h2 lang="ja">やさしい日本語</h2>' in form
    admin.post("/console/setup/notices/new/", {**TEXTS, **moment("publish_from", timezone.now())})
    saved = Notice.objects.get()
    assert (saved.title_easy, saved.body_easy) == ("", "")
    response = admin.post(f"/console/setup/notices/{saved.pk}/", {
        **TEXTS, "title_easy": " ばしょが かわります ", "body_easy": "ばしょが かわりました。",
        **moment("publish_from", saved.publish_from), "reason": "easy version"})
    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.title_easy, saved.body_easy) == ("ばしょが かわります", "ばしょが かわりました。")
    event = AuditEvent.objects.get(action="notice.update")
    assert event.data["fields"] == ["body_easy", "title_easy"] and "easy" in event.data["languages"]
    assert 'value="ばしょが かわります"' in admin.get(f"/console/setup/notices/{saved.pk}/").content.decode()


def test_an_easy_japanese_title_too_long_is_refused_on_its_field(admin):
    response = admin.post("/console/setup/notices/new/", {
        **TEXTS, "title_easy": "あ" * 201, **moment("publish_from", timezone.now())})
    assert response.status_code == 200 and 'href="#id_title_easy"' in summary(response.content.decode())
    assert not Notice.objects.exists()
