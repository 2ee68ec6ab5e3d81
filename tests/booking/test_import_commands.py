"""The import_residents, import_vaccines and import_venues commands (docs/data-formats.md)."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests import factories
from yoyaku.booking import selectors
from yoyaku.booking.models import AuditEvent, Resident, Vaccine, Venue

pytestmark = pytest.mark.django_db

RESIDENT_HEADER = (
    "ticket_number,birth_date,family_name,given_name,family_name_kana,given_name_kana,phone,email,postal_code,address"
)
VACCINE_HEADER = "code,name,min_age,next_dose_min_days,doses_per_vial"
VENUE_HEADER = "code,name,kind,area,address,phone,notes,vaccines"


def write(tmp_path, lines, encoding="utf-8", name="file.csv"):
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return str(path)


def run(command, path, *args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command(command, path, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def run_failing(command, path, *args):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(command, path, *args, stdout=out, stderr=err)
    return str(raised.value), err.getvalue(), out.getvalue()


def resident_row(ticket="0000000001", birth="1945-01-01", family="山田", given="花子", email=""):
    fields = [ticket, birth, family, given, "ヤマダ", "ハナコ", "0195-23-0000", email, "028-6100", "二戸市福岡"]
    return ",".join(fields)


# --- Residents: encodings -------------------------------------------------------------------------


def test_cp932_file_with_full_width_ticket_digits_and_a_bad_row_writes_nothing_and_names_the_line(tmp_path):
    path = write(tmp_path, [
        RESIDENT_HEADER,
        resident_row(ticket="０１２３４５６７８９", family="二戸"),
        resident_row(ticket="0000000002", birth="1945/13/01", family="岩手", given="一郎"),
        resident_row(ticket="0000000003"),
    ], encoding="cp932")

    message, err, _out = run_failing("import_residents", path)

    assert err.splitlines() == ["line 3: birth_date: The month must be between 1 and 12."]
    assert "1 bad row" in message and "nothing written" in message
    assert Resident.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_cp932_file_with_full_width_ticket_digits_imports_the_normalised_number(tmp_path):
    path = write(tmp_path, [RESIDENT_HEADER, resident_row(ticket="０１２３４５６７８９", family="二戸")],
                 encoding="cp932")

    out, _err = run("import_residents", path, verbosity=2)

    assert out.splitlines() == ["read as cp932", "residents: 1 created, 0 updated, 0 unchanged"]
    resident = Resident.objects.get()
    assert resident.ticket_number == "0123456789"
    assert resident.family_name == "二戸"
    assert resident.address == "二戸市福岡"


def test_utf8_with_bom_imports(tmp_path):
    path = write(tmp_path, [RESIDENT_HEADER, resident_row(birth="19450101")], encoding="utf-8-sig")

    out, _err = run("import_residents", path)

    assert "residents: 1 created" in out
    resident = Resident.objects.get()
    assert resident.birth_date == date(1945, 1, 1)
    assert resident.family_name_kana == "ヤマダ"


def test_utf8_without_bom_imports(tmp_path):
    path = write(tmp_path, [RESIDENT_HEADER, resident_row()], encoding="utf-8")

    run("import_residents", path)

    assert Resident.objects.get().given_name == "花子"


def test_file_in_neither_encoding_is_a_clear_error(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(RESIDENT_HEADER.encode() + b"\r\n\x80\xff\xfe,\x81\r\n")

    message, _err, _out = run_failing("import_residents", str(path))

    assert "neither UTF-8 nor Shift_JIS" in message
    assert Resident.objects.count() == 0


def test_missing_file_is_a_clear_error(tmp_path):
    message, _err, _out = run_failing("import_residents", str(tmp_path / "nope.csv"))

    assert message.startswith("Cannot read")


# --- Residents: rows --------------------------------------------------------------------------------


def test_every_bad_row_is_reported_with_its_physical_line_and_column(tmp_path):
    path = write(tmp_path, [
        RESIDENT_HEADER,
        resident_row(ticket="0000000001"),
        resident_row(ticket="12345", given="次郎"),                  # line 3
        "",                                                       # line 4: blank, skipped
        resident_row(ticket="0000000004", email="not-an-email"),  # line 5
        '0000000005,1950-01-01,山田,太郎,,,,,,"二戸市\r\n福岡"',    # lines 6-7: a quoted newline
        resident_row(ticket="0000000006", birth="2999-01-01"),    # line 8
        resident_row(ticket="0000000007", family=""),             # line 9
        "0000000008,1950-01-01,山田",                              # line 10
    ])

    message, err, _out = run_failing("import_residents", path)

    assert err.splitlines() == [
        "line 3: ticket_number: The ticket number has 10 digits; you entered 5.",
        "line 5: email: Enter a valid email address.",
        "line 8: birth_date: The date of birth cannot be in the future.",
        "line 9: family_name: A value is required.",
        "line 10: This row has 3 values; the header has 10.",
    ]
    assert "5 bad rows" in message
    assert Resident.objects.count() == 0


def test_error_lines_show_no_ticket_number_and_no_name(tmp_path):
    path = write(tmp_path, [
        RESIDENT_HEADER,
        resident_row(ticket="0000000001", given="秘密子", email="bad@"),
        resident_row(ticket="0000000001", given="秘密子"),
    ])

    message, err, out = run_failing("import_residents", path)

    for text in (message, err, out):
        assert "0000000001" not in text
        assert "秘密子" not in text and "山田" not in text
        assert "bad@" not in text


def test_duplicate_ticket_number_in_the_file_is_a_bad_row(tmp_path):
    path = write(tmp_path, [
        RESIDENT_HEADER,
        resident_row(ticket="0000000001"),
        resident_row(ticket="0000000002"),
        resident_row(ticket="０００００００００１"),  # the same number, full-width
    ])

    _message, err, _out = run_failing("import_residents", path)

    assert err.splitlines() == ["line 4: ticket_number: The same ticket_number is also on line 2."]
    assert Resident.objects.count() == 0


def test_missing_column_is_reported_on_line_1(tmp_path):
    path = write(tmp_path, ["ticket_number,birth_date,family_name", "0000000001,1945-01-01,山田"])

    _message, err, _out = run_failing("import_residents", path)

    assert err.startswith("line 1: Missing columns: given_name, family_name_kana")


def test_empty_file_is_a_clear_error(tmp_path):
    path = write(tmp_path, [""])

    message, _err, _out = run_failing("import_residents", path)

    assert message.startswith("The file is empty")


# --- Residents: upsert, dry run, audit ---------------------------------------------------------------


def test_upsert_updates_changed_rows_and_leaves_unchanged_ones(tmp_path):
    run("import_residents", write(tmp_path, [
        RESIDENT_HEADER, resident_row(ticket="0000000001"), resident_row(ticket="0000000002"),
    ], name="first.csv"))
    unchanged_before = Resident.objects.get(ticket_number="0000000002").updated_at

    out, _err = run("import_residents", write(tmp_path, [
        RESIDENT_HEADER,
        resident_row(ticket="0000000001", email="hanako@example.jp"),
        resident_row(ticket="0000000002"),
        resident_row(ticket="0000000003"),
    ], name="second.csv"))

    assert out.splitlines() == ["residents: 1 created, 1 updated, 1 unchanged"]
    assert Resident.objects.count() == 3
    assert Resident.objects.get(ticket_number="0000000001").email == "hanako@example.jp"
    assert Resident.objects.get(ticket_number="0000000002").updated_at == unchanged_before


def test_residents_missing_from_the_file_are_left_alone(tmp_path):
    kept = factories.resident(ticket_number="0000000099")

    run("import_residents", write(tmp_path, [RESIDENT_HEADER, resident_row(ticket="0000000001")]))

    assert Resident.objects.get(pk=kept.pk).active


def test_dry_run_writes_nothing_and_reports_what_would_change(tmp_path):
    existing = factories.resident(ticket_number="0000000001", family_name="旧姓", birth_date=date(1945, 1, 1))
    path = write(tmp_path, [RESIDENT_HEADER, resident_row(ticket="0000000001"), resident_row(ticket="0000000002")])

    out, _err = run("import_residents", path, "--dry-run")

    assert out.splitlines() == ["residents: 1 created, 1 updated, 0 unchanged", "dry run: nothing written"]
    assert Resident.objects.count() == 1
    assert Resident.objects.get(pk=existing.pk).family_name == "旧姓"
    assert AuditEvent.objects.count() == 0


def test_dry_run_with_a_bad_row_reports_it(tmp_path):
    path = write(tmp_path, [RESIDENT_HEADER, resident_row(birth="1945-02-30")])

    _message, err, _out = run_failing("import_residents", path, "--dry-run")

    assert err.startswith("line 2: birth_date: 1945/2/30 is not a date in the calendar")


def test_audit_events_for_created_and_updated_residents_hold_field_names_not_values(tmp_path):
    factories.resident(ticket_number="0000000001", birth_date=date(1945, 1, 1), family_name="山田",
                       given_name="花子", family_name_kana="ヤマダ", given_name_kana="ハナコ",
                       phone="0195-23-0000", postal_code="028-6100", address="旧住所")
    path = write(tmp_path, [RESIDENT_HEADER, resident_row(ticket="0000000001"), resident_row(ticket="0000000002")])

    run("import_residents", path)

    created = AuditEvent.objects.get(action="resident.import_create")
    updated = AuditEvent.objects.get(action="resident.import_update")
    assert created.actor_kind == updated.actor_kind == AuditEvent.ActorKind.SYSTEM
    assert created.resident.ticket_number == "0000000002"
    assert created.object_type == "resident" and created.object_id == str(created.resident_id)
    assert updated.resident.ticket_number == "0000000001"
    assert updated.data == {"fields": ["address"]}
    assert "二戸市福岡" not in str(updated.data) and "旧住所" not in str(updated.data)


def test_unchanged_residents_get_no_audit_event(tmp_path):
    path = write(tmp_path, [RESIDENT_HEADER, resident_row(ticket="0000000001")])
    run("import_residents", path)

    out, _err = run("import_residents", path)

    assert "0 created, 0 updated, 1 unchanged" in out
    assert AuditEvent.objects.count() == 1


def test_optional_active_column_deactivates_a_resident(tmp_path):
    factories.resident(ticket_number="0000000001")
    path = write(tmp_path, [RESIDENT_HEADER + ",active", resident_row(ticket="0000000001") + ",0"])

    run("import_residents", path)

    assert not Resident.objects.get(ticket_number="0000000001").active
    assert "active" in AuditEvent.objects.get(action="resident.import_update").data["fields"]


# --- Residents: the optional groups column ----------------------------------------------------------


def test_groups_column_stores_the_codes_space_separated(tmp_path):
    path = write(tmp_path, [
        RESIDENT_HEADER + ",groups",
        resident_row(ticket="0000000001") + ",medical|care-home",
        resident_row(ticket="0000000002") + ",medical",
        resident_row(ticket="0000000003") + ",",
    ])

    out, _err = run("import_residents", path)

    assert out.splitlines() == ["residents: 3 created, 0 updated, 0 unchanged"]
    first = Resident.objects.get(ticket_number="0000000001")
    assert first.groups == "care-home medical"
    assert first.group_set == frozenset({"medical", "care-home"})
    assert Resident.objects.get(ticket_number="0000000002").groups == "medical"
    assert Resident.objects.get(ticket_number="0000000003").groups == ""


def test_groups_column_updates_clears_and_ignores_order(tmp_path):
    same = {"birth_date": date(1945, 1, 1), "family_name": "山田", "given_name": "花子", "family_name_kana": "ヤマダ",
            "given_name_kana": "ハナコ", "phone": "0195-23-0000", "postal_code": "028-6100", "address": "二戸市福岡"}
    factories.resident(ticket_number="0000000001", groups="care-home medical", **same)
    factories.resident(ticket_number="0000000002", groups="medical", **same)
    factories.resident(ticket_number="0000000003", groups="medical", **same)
    path = write(tmp_path, [
        RESIDENT_HEADER + ",groups",
        resident_row(ticket="0000000001") + ",medical care-home",  # the same groups in another order
        resident_row(ticket="0000000002") + ",",  # no group any more
        resident_row(ticket="0000000003") + ",medical|dialysis",
    ])

    out, _err = run("import_residents", path)

    assert out.splitlines() == ["residents: 0 created, 2 updated, 1 unchanged"]
    assert Resident.objects.get(ticket_number="0000000001").groups == "care-home medical"
    assert Resident.objects.get(ticket_number="0000000002").groups == ""
    assert Resident.objects.get(ticket_number="0000000003").groups == "dialysis medical"
    updates = AuditEvent.objects.filter(action="resident.import_update")
    assert sorted(event.resident.ticket_number for event in updates) == ["0000000002", "0000000003"]
    assert all(event.data == {"fields": ["groups"]} for event in updates)  # field names, never the codes


def test_without_the_groups_column_groups_are_left_alone(tmp_path):
    factories.resident(ticket_number="0000000001", birth_date=date(1945, 1, 1), family_name="山田",
                       given_name="花子", family_name_kana="ヤマダ", given_name_kana="ハナコ",
                       phone="0195-23-0000", postal_code="028-6100", address="二戸市福岡", groups="medical")

    out, _err = run("import_residents", write(tmp_path, [RESIDENT_HEADER, resident_row(ticket="0000000001")]))

    assert "0 created, 0 updated, 1 unchanged" in out
    assert Resident.objects.get(ticket_number="0000000001").groups == "medical"


def test_bad_group_code_is_a_bad_row_and_its_value_is_not_shown(tmp_path):
    path = write(tmp_path, [
        RESIDENT_HEADER + ",groups",
        resident_row(ticket="0000000001") + ",medical",
        resident_row(ticket="0000000002") + ",Dialysis|medical",
        resident_row(ticket="0000000003") + ',"medical,care-home"',
    ])

    _message, err, _out = run_failing("import_residents", path)

    message = ("Group codes use only lower-case letters a-z, digits, '_' and '-', separated by '|' or spaces, "
               "for example medical|care-home.")
    assert err.splitlines() == [f"line 3: groups: {message}", f"line 4: groups: {message}"]
    assert "Dialysis" not in err
    assert Resident.objects.count() == 0


def test_imported_groups_are_what_a_group_booking_window_admits(tmp_path):
    run("import_residents", write(tmp_path, [
        RESIDENT_HEADER + ",groups",
        resident_row(ticket="0000000001", birth="1990-01-01") + ",care-home|medical",
        resident_row(ticket="0000000002", birth="1990-01-01") + ",care-home",
    ]))
    call_command("open_booking", "--doses", "1", "--group", "medical", "--from", "2020-01-01 09:00",
                 stdout=io.StringIO())
    windows = selectors.booking_windows()
    admitted = {
        resident.ticket_number
        for resident in Resident.objects.all()
        if any(w.admits(birth_date=resident.birth_date, groups=resident.group_set, dose_number=1) for w in windows)
    }
    assert admitted == {"0000000001"}


def test_many_rows_are_written_in_batches(tmp_path):
    rows = [resident_row(ticket=f"{n:010d}") for n in range(1, 2502)]
    run("import_residents", write(tmp_path, [RESIDENT_HEADER, *rows]))

    assert Resident.objects.count() == 2501
    assert AuditEvent.objects.filter(action="resident.import_create").count() == 2501


# --- Vaccines --------------------------------------------------------------------------------------------


def test_vaccines_upsert_by_code(tmp_path):
    factories.vaccine(code="pfizer", name="Old name", min_age=12, next_dose_min_days=21, doses_per_vial=6)
    path = write(tmp_path, [VACCINE_HEADER, "pfizer,ファイザー,12,21,6", "moderna,モデルナ,12,28,10"], encoding="cp932")

    out, _err = run("import_vaccines", path)

    assert out.splitlines() == ["vaccines: 1 created, 1 updated, 0 unchanged"]
    assert Vaccine.objects.get(code="pfizer").name == "ファイザー"
    assert Vaccine.objects.get(code="moderna").next_dose_min_days == 28
    assert AuditEvent.objects.get(action="vaccine.import_update").data == {"fields": ["name"]}
    assert AuditEvent.objects.filter(action="vaccine.import_create").count() == 1


def test_vaccine_numbers_must_be_whole_numbers_in_range(tmp_path):
    path = write(tmp_path, [VACCINE_HEADER, "pfizer,Pfizer,twelve,21,6", "moderna,Moderna,12,28,0"])

    _message, err, _out = run_failing("import_vaccines", path)

    assert err.splitlines() == [
        "line 2: min_age: Enter a whole number from 0 to 120.",
        "line 3: doses_per_vial: Enter a whole number from 1 to 100.",
    ]
    assert Vaccine.objects.count() == 0


def test_vaccine_dry_run_writes_nothing(tmp_path):
    out, _err = run("import_vaccines", write(tmp_path, [VACCINE_HEADER, "pfizer,Pfizer,12,21,6"]), "--dry-run")

    assert "dry run: nothing written" in out
    assert Vaccine.objects.count() == 0


# --- Venues ----------------------------------------------------------------------------------------------


def test_venues_import_sets_the_vaccines_offered(tmp_path):
    pfizer = factories.vaccine(code="pfizer")
    moderna = factories.vaccine(code="moderna")
    path = write(tmp_path, [
        VENUE_HEADER,
        'C01,二戸クリニック,clinic,福岡,二戸市福岡1-1,0195-00-0001,"駐車場あり",pfizer|moderna',
        "G01,市民文化会館,group,石切所,二戸市石切所2-2,0195-00-0002,,moderna",
    ])

    out, _err = run("import_venues", path)

    assert out.splitlines() == ["venues: 2 created, 0 updated, 0 unchanged"]
    clinic = Venue.objects.get(code="C01")
    assert clinic.kind == Venue.Kind.CLINIC
    assert set(clinic.vaccines.all()) == {pfizer, moderna}
    assert Venue.objects.get(code="G01").kind == Venue.Kind.GROUP
    assert list(Venue.objects.get(code="G01").vaccines.all()) == [moderna]


def test_venue_update_replaces_the_vaccines_and_counts_as_a_change(tmp_path):
    pfizer = factories.vaccine(code="pfizer")
    factories.vaccine(code="moderna")
    factories.venue(code="C01", name="Clinic", kind="clinic", area="A", address="1-1", vaccines=[pfizer])
    path = write(tmp_path, [VENUE_HEADER, "C01,Clinic,clinic,A,1-1,,,moderna"])

    out, _err = run("import_venues", path)

    assert "0 created, 1 updated, 0 unchanged" in out
    assert [v.code for v in Venue.objects.get(code="C01").vaccines.all()] == ["moderna"]
    assert AuditEvent.objects.get(action="venue.import_update").data == {"fields": ["vaccines"]}


def test_unknown_vaccine_code_in_venues_is_a_bad_row(tmp_path):
    factories.vaccine(code="pfizer")
    path = write(tmp_path, [
        VENUE_HEADER,
        "C01,Clinic,clinic,A,1-1,,,pfizer",
        "C02,Clinic 2,clinic,A,1-2,,,pfizer|astra",
    ])

    _message, err, _out = run_failing("import_venues", path)

    assert err.splitlines() == [
        "line 3: vaccines: Unknown vaccine code astra: import it with import_vaccines first.",
    ]
    assert Venue.objects.count() == 0


def test_venue_kind_must_be_clinic_or_group(tmp_path):
    path = write(tmp_path, [VENUE_HEADER, "C01,Clinic,hospital,A,1-1,,,"])

    _message, err, _out = run_failing("import_venues", path)

    assert err.splitlines() == ["line 2: kind: Enter one of: clinic, group."]
    assert Venue.objects.count() == 0


def test_duplicate_venue_code_in_the_file_is_a_bad_row(tmp_path):
    path = write(tmp_path, [VENUE_HEADER, "C01,Clinic,clinic,A,1-1,,,", "C01,Clinic again,clinic,A,1-1,,,"])

    _message, err, _out = run_failing("import_venues", path)

    assert err.splitlines() == ["line 3: code: The same code is also on line 2."]
