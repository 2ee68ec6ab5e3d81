"""Audit events in the health office's words: the action's label and its details as labelled values, with
links to the objects they name. The codes stay in the database (and in the CSV export); people read these."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "reservation.book": _("Reservation booked"),
    "reservation.change": _("Reservation changed"),
    "reservation.cancel": _("Reservation cancelled"),
    "reservation.update_details": _("Reservation contact details changed"),
    "reservation.move_up": _("Moved up to an earlier date (繰上げ)"),
    "reservation.no_show": _("Recorded as 来場なし (no-show)"),
    "reservation.slot_closed": _("Reservation cancelled: the time was closed"),
    "dose.record": _("Checked in and dose recorded"),
    "check_in.token_refused": _("QR code refused at check-in (forged or altered)"),
    "move_up_offer.make": _("Move-up offer sent"),
    "move_up_offer.accept": _("Move-up offer accepted"),
    "allocation.window": _("Allocation window opened"),
    "allocation.register": _("Allocation wishes registered"),
    "allocation.change": _("Allocation wishes changed"),
    "allocation.withdraw": _("Allocation wishes withdrawn"),
    "allocation.run": _("Allocation published"),
    "allocation.allocate": _("Place allocated (to confirm)"),
    "allocation.confirm": _("Allocated place confirmed"),
    "allocation.decline": _("Allocated place declined"),
    "allocation.expire": _("Allocated place not confirmed in time"),
    "household.member_add": _("Household member added"),
    "household.member_remove": _("Household member removed"),
    "standby.join": _("Put on the standby list (キャンセル待ち)"),
    "standby.book": _("Given a place from the standby list"),
    "standby.withdraw": _("Taken off the standby list"),
    "resident.login": _("Resident logged in"),
    "staff.login": _("Staff logged in"),
    "staff.device_setup": _("Authenticator app set up"),
    "resident.login_failed": _("Resident login failed"),
    "resident.login_locked": _("Resident login locked"),
    "staff.login_failed": _("Staff login failed"),
    "staff.login_locked": _("Staff login locked"),
    "staff.second_factor_failed": _("Second factor failed"),
    "vaccine.create": _("Vaccine added"),
    "vaccine.update": _("Vaccine changed"),
    "venue.create": _("Venue added"),
    "venue.update": _("Venue changed"),
    "venue.day_close": _("Venue closed for a day"),
    "slot.generate": _("Slots created"),
    "slot.close": _("Slot closed"),
    "slot.reopen": _("Slot reopened"),
    "slot.capacity": _("Slot capacity changed"),
    "booking_window.open": _("Booking window opened"),
    "booking_window.close": _("Booking window closed"),
    "notice.create": _("Notice added"),
    "notice.update": _("Notice changed"),
    "notice.withdraw": _("Notice withdrawn"),
    "notification.send_again": _("Emails queued again"),
    "api_token.create": _("API token created"),
    "api_token.authorise": _("API token authorised"),
    "api_token.revoke": _("API token revoked"),
    "webhook.create": _("Webhook created"),
    "webhook.disable": _("Webhook disabled"),
    "webhook.send_again": _("Webhook delivery sent again"),
    "reservations.export": _("Reservations exported"),
    "resident.import": _("Resident imported"),
    "resident.update": _("Resident updated"),
    "resident.contact_channel": _("How we contact the resident changed"),
}

DETAIL_LABELS = {
    "slot": _("Slot"), "from_slot": _("From slot"), "to_slot": _("To slot"), "dose": _("Dose"),
    "channel": _("Channel"), "lot": _("Lot number"), "code": _("Code"), "venue": _("Venue"),
    "starts_at": _("Time"), "day": _("Day"), "from": _("Before"), "to": _("After"), "days_earlier": _("Days earlier"),
    "outcome": _("Outcome"), "expires_at": _("Valid until"), "prefix": _("Token"), "name": _("Name"),
    "scopes": _("Scopes"), "second_factor_setup": _("Second factor set up"), "notifications": _("Emails"),
    "values": _("Values"), "changes": _("Changes"), "vaccines": _("Vaccines"), "slots": _("Slots"),
    "to_call": _("To call"), "languages": _("Languages"), "fields": _("Fields"), "before": _("Before"),
    "opens_at": _("Opens at"), "publish_from": _("Published from"),
    "window": _("Booking window"), "seed": _("Lottery seed"), "registrations": _("Registrations"),
    "places": _("Places"), "first_day": _("First day"), "last_day": _("Last day"),
    "confirm_hours": _("Hours to confirm"), "priorities": _("Priority groups"), "venue_ids": _("Venues"),
    "areas": _("Areas"), "weekday_mask": _("Weekdays"), "part_mask": _("Times of day"),
    "earliest_date": _("Earliest date"), "holder": _("Household of resident"),
    "booked_by": _("Booked by (household)"),
    "via": _("Found by"),
    "line": _("LINE"),
    "moved": _("Moved from a later appointment"), "added_place": _("Place added for a dose left in the vial"),
}
VALUE_LABELS = {
    "channel": {"web": _("web"), "phone": _("phone"), "api": _("API")},
    "second_factor_setup": {True: _("yes"), False: _("no")},
    "via": {"qr": _("QR code"), "id": _("reservation ID typed")},
    "moved": {True: _("yes"), False: _("no")},
    "added_place": {True: _("yes"), False: _("no")},
}
SLOT_KEYS = frozenset({"slot", "from_slot", "to_slot"})


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def action_choices(actions) -> list[tuple[str, str]]:
    """The audit filter's choices: labels, sorted as read."""
    return sorted(((a, str(action_label(a))) for a in actions), key=lambda choice: choice[1])


def _value(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_value(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_value(item) for item in value)
    return str(value)


def details(data: dict) -> list[dict]:
    """[{label, value, url}] for an event's data, in its order; slots link to their setup page."""
    rows = []
    for key, value in (data or {}).items():
        url = ""
        if key in SLOT_KEYS and isinstance(value, int):
            try:
                url = reverse("console:setup_slot", kwargs={"slot_id": value})
            except NoReverseMatch:
                url = ""
        shown = VALUE_LABELS.get(key, {}).get(value, None) if not isinstance(value, dict | list) else None
        rows.append({"label": DETAIL_LABELS.get(key, key), "value": shown if shown is not None else _value(value),
                     "url": url})
    return rows
