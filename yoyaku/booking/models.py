"""The domain: residents, vaccines, venues, slots, booking windows, reservations, doses, notices, audit.

The database itself holds the invariants that matter under concurrency (see docs/architecture.md):
0 <= booked <= capacity, one active reservation per resident and dose, unique ticket numbers and codes.
"""

from urllib.parse import quote

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import rules


def dose_mask(doses) -> int:
    """Dose numbers as a bit mask (dose 1 -> 1, dose 2 -> 2, dose 3 -> 4)."""
    mask = 0
    for dose in doses:
        mask |= 1 << (int(dose) - 1)
    return mask


def doses_of_mask(mask: int) -> list[int]:
    return [bit + 1 for bit in range(16) if mask & (1 << bit)]


class ResidentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Resident(models.Model):
    ticket_number = models.CharField(_("ticket number"), max_length=10, unique=True)
    birth_date = models.DateField(_("birth date"))
    family_name = models.CharField(_("family name"), max_length=100)
    given_name = models.CharField(_("given name"), max_length=100)
    family_name_kana = models.CharField(_("family name (kana)"), max_length=100, blank=True)
    given_name_kana = models.CharField(_("given name (kana)"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Group codes the city uses to open booking early (e.g. "medical", "care-home"), space separated.
    groups = models.CharField(_("groups"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True, help_text=_("False once moved away or deceased."))
    language = models.CharField(_("language"), max_length=10, default="ja")

    class ContactChannel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS (text message)")
        LINE = "line", _("LINE")

    # How the resident wants our messages (docs/channels.md): email, SMS to a mobile number, or LINE once the
    # city's LINE bot was linked (line_user_id, set through the resident bot API). A channel the city does not
    # offer, or without an address, falls back to email (booking/notifications.py, delivery_for).
    contact_channel = models.CharField(_("contact channel"), max_length=10, choices=ContactChannel.choices,
                                       default=ContactChannel.EMAIL)
    line_user_id = models.CharField(_("LINE user ID"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        constraints = [
            models.CheckConstraint(
                condition=Q(ticket_number__regex=r"^[0-9]{10}$"), name="resident_ticket_number_10_digits"
            ),
        ]

    def __str__(self):
        return f"{self.family_name} {self.given_name}"

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_name}"

    @property
    def group_set(self) -> frozenset[str]:
        return frozenset(self.groups.split())


class PerLanguage:
    """Names and texts the city gives per UI language (name_en, name_zh_hans, name_ko…): the one in the
    active language, or the Japanese (the plain field) when that one is empty."""

    def localized(self, field: str, language: str | None = None) -> str:
        suffix = (language or translation.get_language() or "ja").lower().replace("-", "_")
        return getattr(self, f"{field}_{suffix}", "") or getattr(self, field)

    @property
    def local_name(self) -> str:
        return self.localized("name")


class Vaccine(PerLanguage, models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    name_zh_hans = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=100, blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=12)
    next_dose_min_days = models.PositiveSmallIntegerField(_("minimum days to the next dose"), default=21)
    doses_per_vial = models.PositiveSmallIntegerField(_("doses per vial"), default=6)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("vaccine")
        verbose_name_plural = _("vaccines")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(doses_per_vial__gte=1), name="vaccine_doses_per_vial_positive"),
        ]

    def __str__(self):
        return self.name


class Venue(PerLanguage, models.Model):
    class Kind(models.TextChoices):
        CLINIC = "clinic", _("clinic")
        GROUP = "group", _("group site")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CLINIC)
    area = models.CharField(_("area"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    notes = models.TextField(_("access notes"), blank=True)
    # Per language (empty: the Japanese above is shown). The area's Japanese stays the filter's key.
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    name_zh_hans = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=100, blank=True)
    area_en = models.CharField(_("area (English)"), max_length=50, blank=True)
    area_zh_hans = models.CharField(_("area (Chinese)"), max_length=50, blank=True)
    area_ko = models.CharField(_("area (Korean)"), max_length=50, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=200, blank=True)
    address_zh_hans = models.CharField(_("address (Chinese)"), max_length=200, blank=True)
    address_ko = models.CharField(_("address (Korean)"), max_length=200, blank=True)
    notes_en = models.TextField(_("access notes (English)"), blank=True)
    notes_zh_hans = models.TextField(_("access notes (Chinese)"), blank=True)
    notes_ko = models.TextField(_("access notes (Korean)"), blank=True)
    vaccines = models.ManyToManyField(Vaccine, related_name="venues", blank=True, verbose_name=_("vaccines"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["area", "code"]

    def __str__(self):
        return self.name

    @property
    def local_area(self) -> str:
        return self.localized("area")

    @property
    def local_address(self) -> str:
        return self.localized("address")

    @property
    def local_notes(self) -> str:
        return self.localized("notes")

    @property
    def map_url(self) -> str:
        """A map search for the Japanese address (the one map services know): no API key, no script."""
        return f"https://www.google.com/maps/search/?api=1&query={quote(self.address)}" if self.address else ""


class SlotQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        # bulk_create skips save(): fill the local day here too.
        for slot in objs:
            slot.fill_day()
        return super().bulk_create(objs, *args, **kwargs)

    def for_dose(self, dose_number: int):
        bit = 1 << (dose_number - 1)
        return self.annotate(_dose_bit=F("dose_mask").bitand(bit)).filter(_dose_bit=bit)

    def bookable(self, *, now=None):
        """Open, started selling, not yet begun. Free capacity is checked separately (it changes)."""
        now = now or timezone.now()
        return self.filter(closed=False, starts_at__gt=now).filter(
            Q(bookable_from__isnull=True) | Q(bookable_from__lte=now)
        )

    def with_free(self):
        return self.filter(booked__lt=F("capacity"))


class Slot(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="slots", verbose_name=_("venue"))
    vaccine = models.ForeignKey(Vaccine, on_delete=models.PROTECT, related_name="slots", verbose_name=_("vaccine"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("capacity"))
    # A counter, not a count: the busy pages read it instead of counting reservations, and the
    # conditional update on it is what makes overbooking impossible (see services.reservation_book).
    booked = models.PositiveIntegerField(_("booked"), default=0)
    dose_mask = models.PositiveSmallIntegerField(_("dose numbers"), default=0b11)
    bookable_from = models.DateTimeField(_("bookable from"), null=True, blank=True)
    closed = models.BooleanField(_("closed"), default=False)
    # The local day of starts_at, stored: the busy pages group by day, and on SQLite converting every row's
    # time to local time in a query costs a Python call per row. Filled by save() and bulk_create().
    day = models.DateField(_("day"), editable=False, db_index=True)

    objects = SlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        ordering = ["starts_at", "venue_id"]
        constraints = [
            models.CheckConstraint(condition=Q(booked__gte=0) & Q(booked__lte=F("capacity")),
                                   name="slot_booked_within_capacity"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_after_start"),
            models.UniqueConstraint(fields=["venue", "vaccine", "starts_at"], name="slot_unique_venue_vaccine_start"),
        ]
        indexes = [models.Index(fields=["venue", "starts_at"]), models.Index(fields=["starts_at"]),
                   models.Index(fields=["venue", "day"])]

    def __str__(self):
        return f"{self.venue} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        self.fill_day()
        if kwargs.get("update_fields") is not None and "starts_at" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "day"}
        super().save(*args, **kwargs)

    def fill_day(self) -> None:
        self.day = timezone.localdate(self.starts_at)

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def doses(self) -> list[int]:
        return doses_of_mask(self.dose_mask)

    def serves_dose(self, dose_number: int) -> bool:
        return bool(self.dose_mask & (1 << (dose_number - 1)))


class BookingWindowQuerySet(models.QuerySet):
    def as_rules(self) -> list[rules.Window]:
        return [w.as_rule() for w in self]

    def first_come(self):
        """Windows in which residents book a time themselves (allocation-mode windows take wishes instead)."""
        return self.filter(mode=BookingWindow.Mode.FIRST_COME)

    def allocation(self):
        return self.filter(mode=BookingWindow.Mode.ALLOCATION)


class BookingWindow(models.Model):
    """The city opens booking for some dose numbers, for residents born in a range or in a group.

    In allocation mode (docs/allocation.md) opens_at..closes_at is the registration period: residents register
    wishes instead of booking, and staff allocate the places by priority and a seeded lottery at the close."""

    class Mode(models.TextChoices):
        FIRST_COME = "first_come", _("first come, first served")
        ALLOCATION = "allocation", _("allocation (wishes and lottery)")

    dose_mask = models.PositiveSmallIntegerField(_("dose numbers"), default=0b11)
    born_on_or_before = models.DateField(_("born on or before"), null=True, blank=True)
    born_after = models.DateField(_("born after"), null=True, blank=True)
    group = models.CharField(_("group"), max_length=50, blank=True, help_text=_("Empty: everyone."))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    label = models.CharField(_("label"), max_length=100, blank=True)
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices, default=Mode.FIRST_COME)
    # Allocation mode: the first and last day of the appointments allocated, and the hours to confirm one.
    allocation_first_day = models.DateField(_("appointments from"), null=True, blank=True)
    allocation_last_day = models.DateField(_("appointments until"), null=True, blank=True)
    confirm_hours = models.PositiveSmallIntegerField(_("hours to confirm"), default=48)

    objects = BookingWindowQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking window")
        verbose_name_plural = _("booking windows")
        ordering = ["opens_at"]

    def __str__(self):
        return self.label or f"{self.doses} {self.opens_at:%Y-%m-%d %H:%M}"

    @property
    def doses(self) -> list[int]:
        return doses_of_mask(self.dose_mask)

    def as_rule(self) -> rules.Window:
        return rules.Window(
            doses=frozenset(self.doses),
            born_on_or_before=self.born_on_or_before,
            born_after=self.born_after,
            group=self.group,
            opens_at=self.opens_at,
            closes_at=self.closes_at,
        )

    def who(self) -> str:
        """Whom the window admits, in words (the console's list and `manage.py open_booking` say it so)."""
        conditions = []
        if self.born_on_or_before:
            conditions.append(gettext("born on or before %(date)s") % {"date": self.born_on_or_before.isoformat()})
        if self.born_after:
            conditions.append(gettext("born after %(date)s") % {"date": self.born_after.isoformat()})
        if self.group:
            conditions.append(gettext("in group %(group)s") % {"group": self.group})
        if not conditions:
            return gettext("everyone")
        return gettext("residents %(conditions)s") % {"conditions": ", ".join(conditions)}


class ReservationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Reservation.Status.BOOKED)


class Reservation(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("booked")
        CANCELLED = "cancelled", _("cancelled")
        DONE = "done", _("vaccinated")
        NO_SHOW = "no_show", _("no-show")

    class Channel(models.TextChoices):
        WEB = "web", _("web")
        PHONE = "phone", _("phone")
        CONSOLE = "console", _("console")

    code = models.CharField(_("reservation ID"), max_length=12, unique=True)
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="reservations",
                                 verbose_name=_("resident"))
    dose_number = models.PositiveSmallIntegerField(_("dose number"))
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="reservations", verbose_name=_("slot"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.BOOKED)
    recipient_phone = models.CharField(_("recipient's phone"), max_length=20, blank=True)
    # The household member who booked it on the web for this resident (a HouseholdMember's holder); empty
    # when the resident booked for themself or staff booked.
    booked_by = models.ForeignKey("Resident", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("booked by"))
    booker_name = models.CharField(_("booker's name"), max_length=100, blank=True)
    booker_relation = models.CharField(_("booker's relation"), max_length=50, blank=True)
    booker_phone = models.CharField(_("booker's phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    wants_move_up = models.BooleanField(_("wants an earlier date"), default=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    # The idempotency key of the submit that created it: a second submit with the same key gets this
    # reservation back instead of a new one (double click, retry, back-and-resubmit).
    request_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    objects = ReservationQuerySet.as_manager()

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        ordering = ["resident_id", "dose_number", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "dose_number"],
                condition=Q(status="booked"),
                name="reservation_one_active_per_resident_dose",
            ),
            models.CheckConstraint(condition=Q(dose_number__gte=1), name="reservation_dose_number_positive"),
        ]
        indexes = [models.Index(fields=["slot", "status"])]

    def __str__(self):
        return self.code

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.BOOKED


class DoseRecord(models.Model):
    """A dose given: from check-in at our venues, or imported (given elsewhere)."""

    class Source(models.TextChoices):
        CHECK_IN = "check_in", _("check-in")
        IMPORT = "import", _("import")
        CONSOLE = "console", _("entered by staff")

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="doses", verbose_name=_("resident"))
    dose_number = models.PositiveSmallIntegerField(_("dose number"))
    vaccine = models.ForeignKey(Vaccine, on_delete=models.PROTECT, related_name="doses_given",
                                verbose_name=_("vaccine"))
    given_on = models.DateField(_("given on"))
    lot = models.CharField(_("lot number"), max_length=40, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="doses_given")
    reservation = models.OneToOneField(Reservation, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="dose_record")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.CHECK_IN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dose record")
        verbose_name_plural = _("dose records")
        ordering = ["resident_id", "dose_number"]
        constraints = [
            models.UniqueConstraint(fields=["resident", "dose_number"], name="dose_record_one_per_resident_dose"),
        ]

    def __str__(self):
        return f"{self.resident_id}#{self.dose_number} {self.given_on}"


class NoticeQuerySet(models.QuerySet):
    def published(self, *, now=None):
        now = now or timezone.now()
        return self.filter(publish_from__lte=now).filter(Q(publish_until__isnull=True) | Q(publish_until__gt=now))


class Notice(models.Model):
    """A notice from the city, in every UI language (empty translations fall back to Japanese)."""

    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    body_ja = models.TextField(_("body (Japanese)"), blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("body (English)"), blank=True)
    title_zh_hans = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    body_zh_hans = models.TextField(_("body (Chinese)"), blank=True)
    title_ko = models.CharField(_("title (Korean)"), max_length=200, blank=True)
    body_ko = models.TextField(_("body (Korean)"), blank=True)
    # やさしい日本語: the city's own easy version, shown to residents who turned on furigana (empty: the Japanese).
    title_easy = models.CharField(_("title (easy Japanese)"), max_length=200, blank=True)
    body_easy = models.TextField(_("body (easy Japanese)"), blank=True)
    publish_from = models.DateTimeField(_("publish from"), default=timezone.now)
    publish_until = models.DateTimeField(_("publish until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-publish_from"]

    def __str__(self):
        return self.title_ja

    def in_language(self, language: str, *, easy: bool = False) -> tuple[str, str]:
        """Title and body in `language`, else the Japanese; `easy` (Japanese pages with furigana on): the
        city's easy-Japanese version where it wrote one."""
        suffix = (language or "ja").lower().replace("-", "_")
        if easy and suffix == "ja":
            return self.title_easy or self.title_ja, self.body_easy or self.body_ja
        title = getattr(self, f"title_{suffix}", "") or self.title_ja
        body = getattr(self, f"body_{suffix}", "") or self.body_ja
        return title, body


class AuditEvent(models.Model):
    """Who did what, when and why. Written in the same transaction as the change it records."""

    class ActorKind(models.TextChoices):
        RESIDENT = "resident", _("resident")
        STAFF = "staff", _("staff")
        SYSTEM = "system", _("system")

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor_kind = models.CharField(_("actor kind"), max_length=10, choices=ActorKind.choices)
    actor_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("staff member"))
    actor_resident = models.ForeignKey(Resident, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", verbose_name=_("acting resident"))
    action = models.CharField(_("action"), max_length=50, db_index=True)
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="audit_events", verbose_name=_("resident"))
    reservation = models.ForeignKey(Reservation, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="audit_events", verbose_name=_("reservation"))
    object_type = models.CharField(_("object type"), max_length=50, blank=True)
    object_id = models.CharField(_("object id"), max_length=50, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


class MoveUpOffer(models.Model):
    """A freed place offered by email to a resident who asked for an earlier date (繰上げ).

    The link carries `token` (random, unguessable, single use); nothing about the resident. The status
    changes only by conditional UPDATEs from `open` (services/offers.py): accepted, taken (someone else was
    first, or the slot filled), expired, withdrawn (the reservation changed or was cancelled meanwhile).
    """

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACCEPTED = "accepted", _("accepted")
        TAKEN = "taken", _("taken by someone else")
        EXPIRED = "expired", _("expired")
        WITHDRAWN = "withdrawn", _("withdrawn")

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="move_up_offers", verbose_name=_("slot"))
    # To whom: a reservation to move earlier (the move-up list), or a waiting-list entry without a place yet
    # (StandbyEntry, any venue): exactly one of the two (the check constraint below).
    reservation = models.ForeignKey(Reservation, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="move_up_offers", verbose_name=_("reservation"))
    standby_entry = models.ForeignKey("StandbyEntry", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="offers", verbose_name=_("waiting-list entry"))
    token = models.CharField(max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("offered at"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("valid until"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # when it left `open`, whatever the outcome

    class Meta:
        verbose_name = _("move-up offer")
        verbose_name_plural = _("move-up offers")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["slot", "status"]), models.Index(fields=["reservation", "status"]),
                   models.Index(fields=["standby_entry", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(reservation__isnull=False, standby_entry__isnull=True)
                           | Q(reservation__isnull=True, standby_entry__isnull=False)),
                name="move_up_offer_to_reservation_or_waiting_list"),
        ]

    def __str__(self):
        return f"offer #{self.pk} {self.status}"

    @property
    def resident_id(self) -> int:
        """The resident the offer was made to (a reservation's or a waiting-list entry's; both loaded)."""
        return (self.reservation or self.standby_entry).resident_id

    def outcome(self, now=None) -> str:
        """The status as a person sees it: an open offer past its time is expired."""
        now = now or timezone.now()
        if self.status == self.Status.OPEN and self.expires_at <= now:
            return self.Status.EXPIRED
        return self.status


from .integrations import ApiToken  # noqa: E402, F401  (the integration API's tokens: booking/integrations.py)

# --- Allocation mode (issue 15): registrations of wishes, a seeded lottery, offers to confirm ---------------


class AllocationPriority(models.Model):
    """A priority group of an allocation-mode window, targeted like a booking window (born in a range, in a
    group). A registration takes the lowest rank whose group admits the resident; the others come last."""

    window = models.ForeignKey(BookingWindow, on_delete=models.CASCADE, related_name="allocation_priorities",
                               verbose_name=_("booking window"))
    rank = models.PositiveSmallIntegerField(_("rank"))
    label = models.CharField(_("label"), max_length=100, blank=True)
    born_on_or_before = models.DateField(_("born on or before"), null=True, blank=True)
    born_after = models.DateField(_("born after"), null=True, blank=True)
    group = models.CharField(_("group"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("allocation priority")
        verbose_name_plural = _("allocation priorities")
        ordering = ["window_id", "rank"]
        constraints = [models.UniqueConstraint(fields=["window", "rank"], name="allocation_priority_unique_rank")]

    def __str__(self):
        return self.label or f"#{self.rank}"


class AllocationRegistrationQuerySet(models.QuerySet):
    def live(self):
        """Registrations that still take part: waiting for a place, or holding one."""
        return self.exclude(status__in=[AllocationRegistration.Status.WITHDRAWN])


class AllocationRegistration(models.Model):
    """A resident's wishes in an allocation-mode window (one per window), and where the lottery put them.

    registered -> offered (a place was allocated: a reservation holds it until `confirm_by`) -> confirmed,
    or declined / expired (the reservation is cancelled and the place goes to the next in the order);
    registered -> withdrawn (by the resident while the registration period is open). Not allocated stays
    registered, with `position`, its place in the order, for the next round.
    """

    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        WITHDRAWN = "withdrawn", _("withdrawn")
        OFFERED = "offered", _("allocated, to confirm")
        CONFIRMED = "confirmed", _("confirmed")
        DECLINED = "declined", _("declined")
        EXPIRED = "expired", _("not confirmed in time")

    class Channel(models.TextChoices):
        WEB = "web", _("web")
        PHONE = "phone", _("phone")

    window = models.ForeignKey(BookingWindow, on_delete=models.PROTECT, related_name="allocation_registrations",
                               verbose_name=_("booking window"))
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="allocation_registrations",
                                 verbose_name=_("resident"))
    dose_number = models.PositiveSmallIntegerField(_("dose number"))
    # Wishes. Venue ids and area names in the resident's order of preference; both empty: any venue.
    venue_ids = models.JSONField(_("venues"), default=list, blank=True)
    areas = models.JSONField(_("areas"), default=list, blank=True)
    weekday_mask = models.PositiveSmallIntegerField(_("weekdays"), default=0b1111111)  # bit 0 = Monday
    part_mask = models.PositiveSmallIntegerField(_("times of day"), default=0b111)  # morning, afternoon, evening
    earliest_date = models.DateField(_("earliest date"), null=True, blank=True)
    wants_move_up = models.BooleanField(_("wants an earlier date"), default=False)
    email = models.EmailField(_("email"), blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED)
    priority = models.PositiveSmallIntegerField(_("priority"), default=0)
    position = models.PositiveIntegerField(_("place in the order"), null=True, blank=True)
    seed = models.BigIntegerField(_("lottery seed"), null=True, blank=True)
    reservation = models.OneToOneField(Reservation, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="allocation", verbose_name=_("reservation"))
    offered_at = models.DateTimeField(_("allocated at"), null=True, blank=True)
    confirm_by = models.DateTimeField(_("confirm by"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AllocationRegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("allocation registration")
        verbose_name_plural = _("allocation registrations")
        ordering = ["window_id", "priority", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["window", "resident"], name="allocation_one_registration_per_window"),
            models.CheckConstraint(condition=Q(dose_number__gte=1), name="allocation_dose_number_positive"),
        ]
        indexes = [models.Index(fields=["window", "status", "priority", "position"]),
                   models.Index(fields=["status", "confirm_by"])]

    def __str__(self):
        return f"allocation #{self.pk} {self.status}"


class StandbyEntry(models.Model):
    """A resident waiting for a place (キャンセル待ち), to be phoned when one frees: for a venue on the day
    (the same-day standby list the venue staff call when the last opened vial has doses left), or for any
    venue (the waiting list the call centre calls when a place frees before the day).

    `services.standby_book` takes the entry (a conditional UPDATE from `waiting`) and the place (the booking
    engine's conditional UPDATE) in one transaction: two staff calling for the same place, one wins.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        BOOKED = "booked", _("booked")
        WITHDRAWN = "withdrawn", _("withdrawn")

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="standby_entries",
                                 verbose_name=_("resident"))
    dose_number = models.PositiveSmallIntegerField(_("dose number"))
    # Empty: any venue (the waiting list); a venue: that venue's same-day standby list.
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="standby_entries",
                              verbose_name=_("venue"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # The waiting list's offers go to this address by email (services/move_up_offers.py); empty: phoned only.
    email = models.EmailField(_("email"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    reservation = models.ForeignKey(Reservation, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("reservation"))

    class Meta:
        verbose_name = _("standby entry")
        verbose_name_plural = _("standby entries")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["resident", "dose_number"], condition=Q(status="waiting"),
                                    name="standby_one_waiting_per_resident_dose"),
        ]
        indexes = [models.Index(fields=["venue", "status"])]

    def __str__(self):
        return f"standby #{self.pk} {self.status}"


class HouseholdMember(models.Model):
    """A family member a logged-in resident (the holder) books for: added by entering the member's own
    ticket number and birth date (services.household_member_add). The member's reservations stay the
    member's; the holder is recorded as the booker (Reservation.booked_by and the audit event's actor).
    A member may be in more than one household (both parents add a child). At most
    settings.YOYAKU["HOUSEHOLD_LIMIT"] members per holder."""

    holder = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="household_members",
                               verbose_name=_("household holder"))
    member = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="households",
                               verbose_name=_("household member"))
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["holder", "member"], name="household_member_once"),
            models.CheckConstraint(condition=~Q(holder=F("member")), name="household_member_not_self"),
        ]

    def __str__(self):
        return f"household #{self.pk}"
