"""Load the demo city into an empty database and print how to log in (`make run` calls it).

    manage.py demo [--if-empty] [--residents 1000] [--seed 1]
    manage.py demo --totp USER        (the current 6-digit code of a demo staff user; DEBUG only)

With --if-empty, a database that already has data is left alone: the command prints the logins and
exits 0. What the demo contains is in yoyaku/booking/demo_data.py; the command is the console's because it
also gives the demo's venue staff their venues (the console's StaffProfile), which booking may not import.

The banner's addresses are the site's setting (YOYAKU_SITE_URL: `make run` derives it from HOST and PORT),
so they match the links in the demo's emails; staff log in at the console.

The second factor (docs/architecture.md, "The first ten minutes"): with DEBUG on, and only then, the demo
staff users it creates get a confirmed authenticator (TOTP) device with a random key, printed in the banner
with the one-line ways to read the code (`make totp STAFF=admin`, `oathtool --totp -b KEY`, or any
authenticator app). With DEBUG off nothing is enrolled and no key is printed: staff set up their own
authenticator at the first login, as in production. An existing user is never given a device.
"""

import base64
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from yoyaku.booking import demo_data
from yoyaku.booking.models import Resident, Venue
from yoyaku.console.models import StaffProfile


def demo_staff_venues() -> None:
    """Venue staff see the rosters of their venues only (demo_data.STAFF_VENUES, in their StaffProfile)."""
    users = get_user_model().objects.filter(username__in=list(demo_data.STAFF_VENUES))
    for user in users:
        profile, _created = StaffProfile.objects.get_or_create(user=user)
        profile.venues.add(*Venue.objects.filter(code__in=demo_data.STAFF_VENUES[user.username]))


DEMO_DEVICE = "demo"  # the name of the authenticator device the demo enrols (DEBUG only)


def demo_staff_second_factor(usernames) -> None:
    """A confirmed TOTP device with a random key for each demo staff user the demo created (DEBUG only)."""
    if not settings.DEBUG:
        return
    for user in get_user_model().objects.filter(username__in=list(usernames)):
        TOTPDevice.objects.create(user=user, name=DEMO_DEVICE, confirmed=True)


def demo_devices() -> dict[str, TOTPDevice]:
    """The demo's authenticator devices by user name; none (and so no key printed) when DEBUG is off."""
    if not settings.DEBUG:
        return {}
    devices = TOTPDevice.objects.filter(name=DEMO_DEVICE, confirmed=True,
                                        user__username__in=[spec.username for spec in demo_data.STAFF])
    return {device.user.username: device for device in devices.select_related("user")}


def device_key(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode()


def device_code(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():0{device.digits}d}"


def demo_load(*, residents: int = 1000, seed: int = 1, now=None) -> demo_data.DemoSummary:
    """The whole demo city, in one transaction: booking's data, the console's staff profiles and, with DEBUG
    on, the demo staff's authenticator devices."""
    with transaction.atomic():
        summary = demo_data.load(residents=residents, seed=seed, now=now)
        demo_staff_venues()
        demo_staff_second_factor(summary.staff_created)
    return summary


class Command(BaseCommand):
    help = "Load the demo city (venues, slots, residents, reservations, staff users) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true",
                            help="If the database already has data, only print the logins (exit 0).")
        parser.add_argument("--residents", type=int, default=1000, help="Number of residents (default 1000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same city.")
        parser.add_argument("--totp", metavar="USER",
                            help="Print the current 6-digit code of a demo staff user (DEBUG only) and exit.")

    def handle(self, *args, **options):
        if options["totp"]:
            self._print_code(options["totp"])
            return
        if options["residents"] < demo_data.MIN_RESIDENTS:
            raise CommandError(_("The demo needs at least %(min)d residents.") % {"min": demo_data.MIN_RESIDENTS})
        if demo_data.database_has_data():
            if not options["if_empty"]:
                raise CommandError(_(
                    "The database already has data (residents, venues, vaccines or slots): the demo loads only "
                    "into an empty database. Use a new database, or --if-empty to just print the logins."
                ))
            self.stdout.write(
                _("The database already has data (%(count)d residents): nothing loaded.")
                % {"count": Resident.objects.count()}
            )
            self._print_logins()
            return

        started = time.monotonic()
        summary = demo_load(residents=options["residents"], seed=options["seed"], now=timezone.now())
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            _("Demo city loaded in %(seconds).1f s: %(venues)d venues, %(slots)d slots, %(residents)d residents, "
              "%(reservations)d reservations (%(cancelled)d cancelled), %(doses)d earlier doses, %(notices)d "
              "notices.")
            % {"seconds": elapsed, "venues": summary.venues, "slots": summary.slots,
               "residents": summary.residents, "reservations": summary.reservations,
               "cancelled": summary.cancelled, "doses": summary.imported_doses, "notices": summary.notices}
        ))
        self._print_logins(existing_staff=frozenset(summary.staff_existing))

    def _print_code(self, username):
        if not settings.DEBUG:
            raise CommandError(_("The demo's authenticator codes exist only in the demo (DEBUG=1, as make run sets)."))
        device = demo_devices().get(username)
        if device is None:
            raise CommandError(
                _("%(user)s has no demo authenticator key: the demo enrols only the staff users it creates.")
                % {"user": username})
        self.stdout.write(device_code(device))

    def _print_logins(self, existing_staff=frozenset()):
        site = settings.YOYAKU["SITE_URL"].rstrip("/")
        devices = demo_devices()
        self.stdout.write("")
        for line in demo_data.login_lines(existing_staff=existing_staff, site_url=site,
                                          staff_url=site + reverse("console:home"),
                                          staff_keys={name: device_key(d) for name, d in devices.items()}):
            self.stdout.write(line)
        if devices:
            self.stdout.write(_(
                "  Second factor: these demo accounts already have an authenticator key (demo only, because DEBUG "
                "is on; never in production).\n  The 6-digit code: make totp STAFF=%(user)s, or oathtool --totp -b "
                "KEY, or the key in any authenticator app."
            ) % {"user": next(iter(devices))})
        else:
            self.stdout.write(_(
                "  Second factor: the first login shows a QR code for an authenticator app (the demo enrols keys "
                "only with DEBUG=1, as make run sets)."
            ))
        self.stdout.write("These passwords and keys are for the demo only. デモ専用のパスワードと鍵です。")
        if settings.DEBUG:
            self.stdout.write(_("Emails sent by the worker: %(url)s (files in var/mail/)")
                              % {"url": site + reverse("notify:dev_inbox")})
