"""The integration API for city systems: the schema, tokens and scopes, rate limits, the booking services with
an API actor, audit rows, problem details, idempotency keys, dose records."""

from datetime import date, timedelta

import pytest

from tests import factories
from yoyaku.booking import services
from yoyaku.booking.integrations import ApiToken, token_digest
from yoyaku.booking.models import AuditEvent, DoseRecord, Reservation
from yoyaku.booking.services.integrations import api_token_revoke

pytestmark = pytest.mark.django_db


def test_the_openapi_document_is_3_1_and_the_docs_page_is_served(api_as):
    schema = api_as().get("/openapi.json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.1")
    assert "/api/v1/reservations" in document["paths"]
    errors = document["paths"]["/api/v1/reservations"]["post"]["responses"]["409"]["content"]
    assert list(errors) == ["application/problem+json"]
    assert api_as().get("/docs").status_code == 200


def test_the_secret_is_stored_only_as_its_digest(make_token):
    secret = make_token("availability:read")
    token = ApiToken.objects.get()
    assert token.digest == token_digest(secret)
    assert secret not in str(list(ApiToken.objects.values()))
    assert token.user.get_username() == f"api-{token.prefix}" and not token.user.has_usable_password()


def test_no_token_or_a_wrong_one_is_a_401_problem(api_as):
    response = api_as().get("/venues")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "token_missing"
    assert api_as("yk_nothing_here").get("/venues").status_code == 401


def test_a_revoked_token_is_refused(make_token, api_as, admin):
    secret = make_token("availability:read")
    assert api_as(secret).get("/venues").status_code == 200
    api_token_revoke(actor=services.Actor.for_staff(admin), token=ApiToken.objects.get())
    assert api_as(secret).get("/venues").status_code == 401


@pytest.mark.parametrize(("scope", "method", "path", "body"), [
    ("availability:read", "get", "/venues", None),
    ("residents:read", "post", "/residents/lookup", {"ticket_number": "0000000001"}),
    ("reservations:read", "get", "/reservations/1", None),
    ("reservations:write", "post", "/reservations/1/cancel", {"reason": "x"}),
    ("doses:read", "get", "/doses?given_from=2024-01-01&given_to=2024-01-02", None),
    ("doses:write", "post", "/doses/import", {"records": [{"ticket_number": "0000000001", "dose_number": 1,
                                                           "vaccine_code": "V", "given_on": "2024-01-01"}],
                                              "reason": "x"}),
    ("audit:read", "get", "/audit", None),
    ("own:reservations", "get", "/me/reservations", None),
])
def test_each_token_is_refused_outside_its_scope(make_token, api_as, scope, method, path, body):
    others = [s for s in ("availability:read", "residents:read", "reservations:read", "reservations:write",
                          "doses:read", "doses:write", "audit:read") if s != scope]
    client = api_as(make_token(*others))
    response = client.get(path) if method == "get" else client.post(path, body)
    assert response.status_code == 403
    assert response.json()["code"] == "scope_missing"


def test_the_rate_limit_counts_per_token(make_token, api_as):
    slow, other = make_token("availability:read", rate=3), make_token("availability:read", rate=3)
    codes = [api_as(slow).get("/venues").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = api_as(slow).get("/venues")
    assert refused["Retry-After"] and refused.json()["code"] == "rate_limited"
    assert api_as(other).get("/venues").status_code == 200


def test_availability_by_venue_and_day(make_token, api_as, bookable):
    _resident, slot = bookable
    response = api_as(make_token("availability:read")).get("/availability", venue_id=slot.venue_id,
                                                            day=slot.day.isoformat())
    assert [(s["id"], s["free"]) for s in response.json()] == [(slot.pk, 2)]


def test_resident_lookup_by_ticket_in_the_body_is_audited(make_token, api_as, bookable):
    resident, _slot = bookable
    response = api_as(make_token("residents:read")).post("/residents/lookup", {"ticket_number": resident.ticket_number})
    assert response.status_code == 200 and response.json()["given_name"] == resident.given_name
    event = AuditEvent.objects.get(action="api.resident.read")
    assert event.resident == resident and event.actor_user.get_username().startswith("api-")
    missing = api_as(make_token("residents:read")).post("/residents/lookup", {"ticket_number": "9999999999"})
    assert missing.status_code == 404 and missing.json()["detail"] == "No resident has this ticket number."


def test_book_change_cancel_go_through_the_services_and_each_is_audited(make_token, api_as, bookable):
    resident, slot = bookable
    other = factories.slot(venue=slot.venue, vaccine=slot.vaccine, starts_at=slot.starts_at + timedelta(hours=1))
    client = api_as(make_token("reservations:write", "reservations:read"))
    booked = client.post("/reservations", {"ticket_number": resident.ticket_number, "slot_id": slot.pk,
                                           "dose_number": 1, "reason": "Asked by phone"})
    assert booked.status_code == 201, booked.content
    rid = booked.json()["id"]
    assert client.post(f"/reservations/{rid}/change", {"slot_id": other.pk, "reason": "Later"}).status_code == 200
    cancelled = client.post(f"/reservations/{rid}/cancel", {"reason": "Ill"})
    assert cancelled.json()["status"] == "cancelled"
    events = AuditEvent.objects.filter(reservation_id=rid, action__startswith="reservation.").order_by("pk")
    assert [(e.action, e.reason) for e in events] == [
        ("reservation.book", "Asked by phone"), ("reservation.change", "Later"), ("reservation.cancel", "Ill")]
    token = ApiToken.objects.get()
    assert {e.actor_user_id for e in events} == {token.user_id}


def test_domain_errors_are_problems_with_the_sites_translated_message(make_token, api_as, bookable):
    resident, slot = bookable
    slot.booked = slot.capacity
    slot.save()
    body = {"ticket_number": resident.ticket_number, "slot_id": slot.pk, "dose_number": 1, "reason": "phone"}
    english = api_as(make_token("reservations:write")).post("/reservations", body)
    assert english.status_code == 409 and english["Content-Type"] == "application/problem+json"
    assert english.json()["code"] == "slot_full"
    assert english.json()["detail"] == "Sorry, this time has just been filled. Please choose another time."
    japanese = api_as(make_token("reservations:write"), language="ja").post("/reservations", body)
    from django.utils import translation

    from yoyaku.booking.errors import SlotFull
    with translation.override("ja"):
        assert japanese.json()["detail"] == SlotFull().message != english.json()["detail"]


def test_bad_input_is_a_422_problem_not_a_500(make_token, api_as):
    client = api_as(make_token("reservations:write"))
    response = client.post("/reservations", {"ticket_number": "12", "slot_id": "x"})
    assert response.status_code == 422 and response.json()["code"] == "invalid_request"
    wrong_ticket = client.post("/reservations", {"ticket_number": "12", "slot_id": 1, "dose_number": 1,
                                                 "reason": "x"})
    assert wrong_ticket.status_code == 422 and wrong_ticket.json()["errors"][0]["location"] == "body.body.ticket_number"


def test_an_idempotency_key_repeats_the_first_answer(make_token, api_as, bookable):
    resident, slot = bookable
    client = api_as(make_token("reservations:write"))
    body = {"ticket_number": resident.ticket_number, "slot_id": slot.pk, "dose_number": 1, "reason": "phone"}
    first = client.post("/reservations", body, key="k-1")
    again = client.post("/reservations", body, key="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json(), (first.json(), again.json())
    assert again["Idempotent-Replayed"] == "true"
    assert Reservation.objects.count() == 1
    reused = client.post("/reservations", {**body, "reason": "other"}, key="k-1")
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"


def test_doses_import_then_export_each_record_audited(make_token, api_as, bookable):
    resident, slot = bookable
    client = api_as(make_token("doses:read", "doses:write"))
    record = {"ticket_number": resident.ticket_number, "dose_number": 1, "vaccine_code": slot.vaccine.code,
              "given_on": "2024-05-01", "lot": "AB12"}
    imported = client.post("/doses/import", {"records": [record], "reason": "VRS upload"}, key="import-1")
    assert imported.json() == {"created": 1, "unchanged": 0}
    assert client.post("/doses/import", {"records": [record], "reason": "again"}).json() == {"created": 0,
                                                                                             "unchanged": 1}
    assert DoseRecord.objects.get().source == DoseRecord.Source.IMPORT
    assert AuditEvent.objects.filter(action="dose.import", resident=resident).count() == 1
    unknown = client.post("/doses/import", {"records": [{**record, "vaccine_code": "NOPE"}], "reason": "x"})
    assert unknown.status_code == 409 and unknown.json()["code"] == "dose_import_vaccine"
    exported = client.get("/doses", given_from=date(2024, 5, 1).isoformat(), given_to="2024-05-31")
    assert [r["ticket_number"] for r in exported.json()["records"]] == [resident.ticket_number]
    assert AuditEvent.objects.filter(action="api.doses.export").count() == 1


def test_the_audit_log_reads_back(make_token, api_as):
    response = api_as(make_token("audit:read")).get("/audit", limit=5)
    assert response.status_code == 200
    assert response.json()[0]["action"] == "api_token.create"
