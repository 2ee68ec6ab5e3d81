"""Django admin: for superusers' data repairs. The daily tool is the staff console."""

from django.contrib import admin

from .models import AuditEvent, BookingWindow, DoseRecord, Notice, Reservation, Resident, Slot, Vaccine, Venue


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["ticket_number", "family_name", "given_name", "birth_date", "active"]
    search_fields = ["ticket_number", "family_name", "given_name", "family_name_kana", "given_name_kana", "phone"]
    list_filter = ["active"]


@admin.register(Vaccine)
class VaccineAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "min_age", "next_dose_min_days", "doses_per_vial", "active"]


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "area", "active"]
    list_filter = ["kind", "area", "active"]
    filter_horizontal = ["vaccines"]


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ["venue", "vaccine", "starts_at", "capacity", "booked", "closed"]
    list_filter = ["venue", "vaccine", "closed"]
    date_hierarchy = "starts_at"
    # The counter is kept by the booking services; editing it by hand would break the invariant.
    readonly_fields = ["booked"]


@admin.register(BookingWindow)
class BookingWindowAdmin(admin.ModelAdmin):
    list_display = ["label", "dose_mask", "born_on_or_before", "born_after", "group", "opens_at", "closes_at"]


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    list_display = ["code", "resident", "dose_number", "slot", "status", "channel", "created_at"]
    list_filter = ["status", "channel", "dose_number"]
    search_fields = ["code", "resident__ticket_number"]
    raw_id_fields = ["resident", "slot"]
    # Status and slot change only through the services, which keep the counters and write the audit.
    readonly_fields = ["code", "resident", "dose_number", "slot", "status", "request_key", "cancelled_at"]


@admin.register(DoseRecord)
class DoseRecordAdmin(admin.ModelAdmin):
    list_display = ["resident", "dose_number", "vaccine", "given_on", "lot", "source"]
    raw_id_fields = ["resident", "reservation"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title_ja", "publish_from", "publish_until"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_kind", "actor_user", "action", "resident", "reservation", "reason"]
    list_filter = ["action", "actor_kind"]
    raw_id_fields = ["actor_user", "actor_resident", "resident", "reservation"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
