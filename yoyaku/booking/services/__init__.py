"""Every write of the domain. One function per act, named <noun>_<verb>, keyword-only arguments, one
transaction each, each writing its AuditEvent (and, for reservations, queueing its notification) in that
transaction. Callers import this package: `from yoyaku.booking import services`.

- audit.py         Actor, audit_record, audit_records_bulk, resident logins
- staff.py         staff logins and their authenticator device
- reservations.py  reservation_book / _change / _cancel / _check_in / _mark_no_show
- check_in.py      check-in by QR code or typed 予約ID: reservation_check_in_verify / _scanned
- move_up_offers.py offers of freed places to the best candidates (move_up_offers_make)
- slots.py         slot_set_capacity, slots_generate
- windows.py       booking_window_open, booking_window_close
- data_import.py   residents_import, vaccines_import, venues_import
- outbox.py        notifications_send_again (failed emails, from the admin)
- city.py          vaccines, venues, closing slots and days, notices
- move_up.py       moving a resident up into a freed place (繰上げ)
- allocation.py    allocation mode: wishes, the lottery run, confirm / decline / expire
- household.py     households: household_member_add / _remove (booking for them: the reservation services)
"""

from ..errors import NotYours
from . import allocation, check_in, city, household, move_up, standby
from .allocation import *  # noqa: F403
from .audit import (
    SECURITY_ACTIONS,
    Actor,
    audit_record,
    audit_records_bulk,
    login_failed,
    require_reason,
    resident_log_in,
)
from .check_in import *  # noqa: F403
from .city import *  # noqa: F403
from .data_import import ImportResult, doses_import, residents_import, vaccines_import, venues_import
from .household import *  # noqa: F403
from .move_up import *  # noqa: F403
from .outbox import notifications_send_again
from .reservations import (
    reservation_book,
    reservation_cancel,
    reservation_change,
    reservation_check_in,
    reservation_mark_no_show,
)
from .slots import SlotsGenerated, slot_set_capacity, slots_generate
from .staff import staff_device_for_setup, staff_log_in, staff_second_factor_failed
from .standby import *  # noqa: F403
from .windows import booking_window_close, booking_window_open

__all__ = [
    "Actor", "NotYours", "audit_record", "audit_records_bulk", "require_reason", "resident_log_in",
    "SECURITY_ACTIONS", "login_failed", "staff_device_for_setup", "staff_log_in", "staff_second_factor_failed",
    "ImportResult", "doses_import", "residents_import", "vaccines_import", "venues_import",
    "reservation_book", "reservation_cancel", "reservation_change", "reservation_check_in",
    "reservation_mark_no_show",
    "SlotsGenerated", "slot_set_capacity", "slots_generate", "booking_window_close", "booking_window_open",
    "notifications_send_again",
    *check_in.__all__, *city.__all__, *move_up.__all__, *allocation.__all__, *standby.__all__, *household.__all__,
]
