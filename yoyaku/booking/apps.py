from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "yoyaku.booking"
    label = "booking"
    verbose_name = _("Booking")

    def ready(self):
        # Imported here because models can be imported only once the app registry is ready (Django's rule,
        # not a cycle): the outbox learns booking's kinds of email and its reminders job at start-up.
        from .notifications import register_notifications

        register_notifications()
