"""simulate_month: a tiny month through the real services (slow: the full month is a bench, not a test)."""

import re

import pytest

from yoyaku.booking.models import AuditEvent, Reservation
from yoyaku.booking.simulation import Parameters, report_lines, simulate
from yoyaku.booking.simulation.report import figures
from yoyaku.notify.models import Notification

LAST_LINE = re.compile(r"^refilled \d+\.\d % of freed places before their day, wasted \d+\.\d % of opened doses$")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_tiny_month_runs_through_the_services_and_ends_with_the_figures_line():
    outcome = simulate(Parameters(seed=3, residents=300, weeks=1, elder_lead_days=8, lead_days=4))
    lines = report_lines(outcome)
    assert LAST_LINE.match(lines[-1]), lines[-1]
    assert lines[2].startswith("week 1 (")
    total = figures(outcome)
    assert total["given"] > 0 and total["vials"] > 0
    assert total["refilled"] <= total["freed"]
    # Everything went through the services: every reservation has its audit trail.
    assert not Reservation.objects.exclude(audit_events__action="reservation.book").exists()
    assert AuditEvent.objects.filter(action="dose.record").count() == total["given"]
    # The worker sent the offers (the emails residents read: to move up, and to the waiting list); the rest were
    # skipped unrendered.
    emails = Notification.objects.exclude(kind=Notification.WEBHOOK_KIND)
    assert emails.filter(kind=Notification.Kind.MOVE_UP_OFFER, status=Notification.Status.SENT).exists()
    others = emails.exclude(kind__in=[Notification.Kind.MOVE_UP_OFFER, Notification.Kind.WAITING_LIST_OFFER])
    assert others.filter(status=Notification.Status.SKIPPED).exists()
    assert not others.filter(status=Notification.Status.SENT).exists()


def test_every_parameter_is_an_option_of_the_command():
    from yoyaku.booking.management.commands.simulate_month import Command

    parser = Command().create_parser("manage.py", "simulate_month")
    options = parser.parse_args(["--seed", "7", "--residents", "10", "--no-standby", "--offer-accept-share", "0.5"])
    assert (options.seed, options.residents, options.standby, options.offer_accept_share) == (7, 10, False, 0.5)
    assert set(Parameters.names()) <= set(vars(options))
