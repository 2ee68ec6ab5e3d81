"""Domain errors. Each carries a message a resident or operator can act on, in their language.

Pure Python: no database. Views show `error.message`; services and rules raise these.
"""

from datetime import date, datetime

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _


def _fmt_date(value: date | datetime) -> str:
    if isinstance(value, datetime):
        # A naive datetime cannot be converted; show it as it is rather than fail while reporting an error.
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(local, "DATETIME_FORMAT")
    return formats.date_format(value, "DATE_FORMAT")


def call_centre_text() -> str:
    city = settings.YOYAKU
    return _("Call centre: %(phones)s, hours: %(hours)s") % {
        "phones": " / ".join(city["CALL_CENTRE_PHONES"]),
        "hours": city["CALL_CENTRE_HOURS"],
    }


class BookingError(Exception):
    """Base of every error the domain reports to a person. `code` is stable for tests and logs."""

    code = "booking_error"

    def __init__(self, *args, **kwargs):
        super().__init__(*args)
        self.params = kwargs

    @property
    def message(self) -> str:  # computed late so it is in the language active when shown
        return _("This could not be done.")

    def __str__(self) -> str:
        return self.message


class InvalidInput(BookingError):
    """Bad input to a rule; `message` says what was wrong and how to fix it."""

    code = "invalid_input"

    def __init__(self, message: str, *, code: str = "invalid_input"):
        super().__init__(message)
        self._message = message
        self.code = code

    @property
    def message(self) -> str:
        return str(self._message)


class SlotFull(BookingError):
    code = "slot_full"

    @property
    def message(self):
        return _("Sorry, this time has just been filled. Please choose another time.")


class SlotUnavailable(BookingError):
    code = "slot_unavailable"

    @property
    def message(self):
        return _("This time cannot be booked. Please choose another time.")


class NotEligible(BookingError):
    """Booking for this dose is not open to this resident (yet). `available_from` when known."""

    code = "not_eligible"

    def __init__(self, *, reason: str, available_from: datetime | date | None = None):
        super().__init__(reason=reason, available_from=available_from)
        self.reason = reason
        self.available_from = available_from

    @property
    def message(self):
        reasons = {
            "not_open_yet": _("Booking for this dose is not open to you yet."),
            "no_window": _(
                "Booking for this dose is not open to your age group yet. The city will announce when it opens."
            ),
            "window_closed": _("Booking for this dose has closed."),
            "previous_dose_missing": _("Please book the previous dose first."),
            "already_given": _("Our records show this dose has already been given."),
            "dose_not_offered": _("This dose is not offered."),
        }
        text = reasons.get(self.reason, _("You cannot book this dose now."))
        if self.available_from is not None:
            text += " " + _("You can book from %(when)s.") % {"when": _fmt_date(self.available_from)}
        return text


class TooEarly(BookingError):
    """The dose would come too soon after the previous one (or too late before the next one)."""

    code = "too_early"

    def __init__(self, *, first_allowed: date | None = None, last_allowed: date | None = None):
        super().__init__(first_allowed=first_allowed, last_allowed=last_allowed)
        self.first_allowed = first_allowed
        self.last_allowed = last_allowed

    @property
    def message(self):
        if self.first_allowed is not None:
            return _(
                "This is too soon after your previous dose. The first date you can choose is %(date)s."
            ) % {"date": _fmt_date(self.first_allowed)}
        if self.last_allowed is not None:
            return _("This is too close to your next dose. The last date you can choose is %(date)s.") % {
                "date": _fmt_date(self.last_allowed)
            }
        return _("This date does not keep the interval required between doses. Please choose another date.")


class WrongVaccine(BookingError):
    code = "wrong_vaccine"

    def __init__(self, *, vaccine_name: str):
        super().__init__(vaccine_name=vaccine_name)
        self.vaccine_name = vaccine_name

    @property
    def message(self):
        return _("This dose must be the same vaccine as your previous dose (%(vaccine)s).") % {
            "vaccine": self.vaccine_name
        }


class TooYoung(BookingError):
    code = "too_young"

    def __init__(self, *, min_age: int):
        super().__init__(min_age=min_age)
        self.min_age = min_age

    @property
    def message(self):
        return _("This vaccine is for people aged %(age)d and over on the day.") % {"age": self.min_age}


class AlreadyBooked(BookingError):
    code = "already_booked"

    def __init__(self, *, reservation=None):
        super().__init__(reservation=reservation)
        self.reservation = reservation

    @property
    def message(self):
        if self.reservation is not None:
            return _("You already have a reservation for this dose (reservation ID %(code)s).") % {
                "code": self.reservation.code
            }
        return _("You already have a reservation for this dose.")


class DeadlinePassed(BookingError):
    code = "deadline_passed"

    def __init__(self, *, deadline: datetime | None = None):
        super().__init__(deadline=deadline)
        self.deadline = deadline

    @property
    def message(self):
        return (
            _("Changes and cancellations on the web are no longer possible for this reservation. "
              "Please call us.") + " " + call_centre_text()
        )


class TicketInactive(BookingError):
    code = "ticket_inactive"

    @property
    def message(self):
        return _("This ticket number can no longer be used. Please call us.") + " " + call_centre_text()


class NotActive(BookingError):
    """The reservation is no longer booked (cancelled, done or no-show)."""

    code = "not_active"

    @property
    def message(self):
        return _("This reservation is no longer active.")


class ReasonRequired(BookingError):
    code = "reason_required"

    @property
    def message(self):
        return _("Please give a reason: staff changes are recorded with their reason.")


class CapacityBelowBooked(BookingError):
    code = "capacity_below_booked"

    def __init__(self, *, booked: int):
        super().__init__(booked=booked)
        self.booked = booked

    @property
    def message(self):
        return _("Capacity cannot be lower than the %(booked)d places already booked.") % {
            "booked": self.booked
        }


class MoveUpNotPossible(BookingError):
    """A move-up (繰上げ) that is not one: the resident did not ask for it, or the time is not earlier."""

    code = "move_up_not_possible"

    def __init__(self, *, reason: str):
        super().__init__(reason=reason)
        self.reason = reason

    @property
    def message(self):
        if self.reason == "not_wanted":
            return _("This resident has not asked for an earlier date. Change the reservation instead.")
        return _("The chosen time is not earlier than the current appointment.")


class DoseAlreadyRecorded(BookingError):
    code = "dose_already_recorded"

    @property
    def message(self):
        return _("A dose with this number is already recorded for this resident. Check the resident's record.")


class CheckInNotYet(BookingError):
    """A dose or a no-show recorded before the day of the appointment."""

    code = "check_in_not_yet"

    @property
    def message(self):
        return _("This can be recorded from the day of the appointment.")


class OfferClosed(BookingError):
    """A move-up offer that can no longer be accepted; `status` is the offer's outcome. The booking is unchanged."""

    code = "offer_closed"

    def __init__(self, *, status: str):
        super().__init__(status=status)
        self.status = status

    @property
    def message(self):
        if self.status == "accepted":
            reason = _("This offer has already been used.")
        elif self.status == "expired":
            reason = _("This offer has expired.")
        elif self.status == "taken":
            reason = _("Sorry, someone else accepted this place first.")
        else:
            reason = _("This offer is no longer valid.")
        return reason + " " + _("Your reservation has not changed.")


class NotYours(BookingError):
    """A resident acting on another resident's reservation. Views turn it into a 404."""

    code = "not_yours"


class DoseImportRefused(BookingError):
    """A dose record from another system names an unknown resident or vaccine, or contradicts a dose held:
    the whole import is refused, and the message names the record."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self._message = message
        self.code = code

    @property
    def message(self) -> str:
        return str(self._message)


# --- Check-in by QR code or 予約ID at the venue (services.reservation_check_in_scanned) ---------------------


class CheckInTokenInvalid(BookingError):
    """What was scanned is not a reservation's QR code of this site: forged, altered, or another QR code."""

    code = "check_in_token_invalid"

    @property
    def message(self):
        return _("This QR code is not a reservation of this booking site, or it has been altered. Ask for the "
                 "reservation ID printed beside it and enter it by hand.")


class CheckInNotFound(BookingError):
    """A 予約ID typed by hand that names no reservation this staff member may see."""

    code = "check_in_not_found"

    @property
    def message(self):
        return _("No reservation with this ID at this venue.")


class CheckInWrongVenue(BookingError):
    code = "check_in_wrong_venue"

    def __init__(self, *, venue: str, starts_at: datetime):
        super().__init__(venue=venue, starts_at=starts_at)
        self.venue, self.starts_at = venue, starts_at

    @property
    def message(self):
        return _("Wrong venue: this reservation is at %(venue)s on %(when)s. It cannot be checked in here.") % {
            "venue": self.venue, "when": _fmt_date(self.starts_at)}


class CheckInWrongDay(BookingError):
    code = "check_in_wrong_day"

    def __init__(self, *, starts_at: datetime, day: date):
        super().__init__(starts_at=starts_at, day=day)
        self.starts_at, self.day = starts_at, day

    @property
    def message(self):
        return _("Wrong day: this reservation is for %(when)s, not %(day)s.") % {
            "when": _fmt_date(self.starts_at), "day": _fmt_date(self.day)}


class CheckInAlreadyDone(BookingError):
    code = "check_in_already_done"

    def __init__(self, *, dose: int, lot: str = ""):
        super().__init__(dose=dose, lot=lot)
        self.dose, self.lot = dose, lot

    @property
    def message(self):
        if self.lot:
            return _("Already checked in: dose %(dose)d is recorded for this reservation (lot %(lot)s). Do not "
                     "give it again.") % {"dose": self.dose, "lot": self.lot}
        return _("Already checked in: dose %(dose)d is recorded for this reservation. Do not give it again.") % {
            "dose": self.dose}


class CheckInCancelled(BookingError):
    code = "check_in_cancelled"

    @property
    def message(self):
        return _("This reservation was cancelled and cannot be checked in. To vaccinate this person, book a new "
                 "appointment first.")


class CheckInNoShow(BookingError):
    code = "check_in_no_show"

    @property
    def message(self):
        return _("This reservation is recorded as a no-show and cannot be checked in. Ask the health office to "
                 "correct the record.")


# --- Households (services/household.py) -------------------------------------------------------------------


class HouseholdNotVerified(BookingError):
    """The member's ticket number and birth date do not match (or the ticket cannot be used): the same answer
    for an unknown ticket, an inactive one and a wrong birth date, as at the login."""

    code = "household_not_verified"

    @property
    def message(self):
        return _("The ticket number or the date of birth is not right. Check both on the family member's "
                 "documents and try again.")


class HouseholdSelf(BookingError):
    code = "household_self"

    @property
    def message(self):
        return _("This is your own ticket number. Enter the ticket number of the family member you want to add.")


class HouseholdAlreadyMember(BookingError):
    code = "household_already_member"

    @property
    def message(self):
        return _("This person is already in your household.")


class HouseholdFull(BookingError):
    code = "household_full"

    def __init__(self, *, limit: int):
        super().__init__(limit=limit)

    @property
    def message(self):
        return _("You can add up to %(limit)d family members. Remove one first, or call us.") % {
            "limit": self.params["limit"]}
