"""The outbox in the Django admin (superusers' repairs). Registered by the console, which can record who
queued emails again (booking's services); notify itself knows nothing above it."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from yoyaku.booking import services
from yoyaku.notify.models import Notification
from yoyaku.web.request import staff_actor


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "channel", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["kind", "channel", "status"]
    raw_id_fields = ["reservation"]
    readonly_fields = ["claim_token", "lease_expires_at", "dedupe_key"]
    actions = ["send_again"]

    @admin.action(description=_("Send again (failed notifications)"))
    def send_again(self, request, queryset):
        count = services.notifications_send_again(actor=staff_actor(request),
                                                  notification_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, _("Notifications queued again: %(n)d") % {"n": count}, messages.SUCCESS)
