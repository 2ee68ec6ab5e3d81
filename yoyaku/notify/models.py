"""The outbox: a notification is a row written in the same transaction as the change it reports.

Sending it is the worker's job (`worker.py`, `manage.py run_worker`); because the row commits or rolls back
with the booking, a confirmed booking's email can never be lost, and an aborted booking sends nothing.

Life of a row: pending -> sending (claimed by one worker, with a claim token and a lease) -> sent; on an
SMTP error back to pending with a later next_attempt_at, or failed after the last attempt. A sending row
whose lease expired (its worker died) is claimed again. See docs/architecture.md, "Notifications".
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Notification.Status.PENDING)


class Notification(models.Model):
    class Kind(models.TextChoices):
        BOOKED = "booked", _("booking confirmation")
        CHANGED = "changed", _("change")
        CANCELLED = "cancelled", _("cancellation")
        REMINDER = "reminder", _("reminder")
        MOVE_UP_OFFER = "move_up_offer", _("move-up offer")
        DETAILS_CHANGED = "details_changed", _("contact details changed")
        ALLOCATED = "allocated", _("allocated place to confirm")
        WAITING_LIST_OFFER = "waiting_list_offer", _("waiting-list offer")

    class Channel(models.TextChoices):
        # How a row is delivered: each channel has its adapter (channels.py), the same claims and retries.
        EMAIL = "email", _("email")
        WEBHOOK = "webhook", _("webhook")
        LOG = "log", _("log (demo)")
        SMS = "sms", _("SMS")
        LINE = "line", _("LINE")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("not sent")  # no address, or no longer wanted (last_error says which)

    # A webhook delivery is not an email: its kind is WEBHOOK_KIND and its payload the event
    # ({id, type, timestamp, data}), sent as it is (Kind lists the emails, each with its templates).
    WEBHOOK_KIND = "webhook"
    kind = models.CharField(_("kind"), max_length=20, choices=[*Kind.choices, (WEBHOOK_KIND, _("webhook event"))])
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    # The receiver of a webhook delivery (channel "webhook"); empty for the other channels.
    endpoint = models.ForeignKey("notify.WebhookEndpoint", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="deliveries")
    # The reservation the message is about; empty for an offer to a waiting-list entry (no reservation yet).
    reservation = models.ForeignKey("booking.Reservation", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="notifications")
    # Snapshot of what the message must say, taken at the time of the change: a later change must not
    # rewrite what an earlier email reports.
    payload = models.JSONField(default=dict)
    email = models.EmailField(blank=True)
    # The address of an SMS or LINE row (a phone number in E.164, a LINE user id); empty for the other channels.
    recipient = models.CharField(max_length=100, blank=True)
    language = models.CharField(max_length=10, default="ja")
    by_staff = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)  # the error's class and SMTP reply, addresses removed
    # The batch that claimed the row (while sending) and until when the claim holds: after that, the
    # worker is taken to be dead and any worker may claim the row again.
    claim_token = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # Makes a notification that must exist once (the reminder for one appointment day, later one
    # move-up offer) impossible to queue twice, even by two workers at the same moment.
    dedupe_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.kind} #{self.pk}"


class WebhookEndpoint(models.Model):
    """A URL of one of the city's systems that receives events (webhooks), signed with its own secret.

    Here, in the outbox, because the worker signs and sends the deliveries and imports nothing above it. The
    secret (Standard Webhooks form, `whsec_<base64>`) is kept as it is: signing needs it. It is shown once,
    when the endpoint is made. An endpoint is never deleted (its deliveries stay on record), only disabled."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(max_length=100)
    events = models.JSONField(_("events"), default=list)  # event types, e.g. ["reservation.booked"]
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name

    @property
    def active(self) -> bool:
        return self.disabled_at is None
