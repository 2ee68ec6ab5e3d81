"""Booking is the domain: it imports the outbox below it, never a site or the shared web layer above it."""

from tests.notify.imports import imports_of, wrong_way


def test_booking_imports_no_site_and_not_the_web_layer():
    assert wrong_way("yoyaku.booking", ("yoyaku.portal", "yoyaku.console", "yoyaku.web")) == []


def test_the_walk_sees_imports_inside_functions():
    # BookingConfig.ready imports inside a function (models need the app registry): the walk must see it.
    assert ("yoyaku/booking/apps.py", "yoyaku.booking.notifications") in {
        (file, name) for file, _line, name in imports_of("yoyaku.booking")}
