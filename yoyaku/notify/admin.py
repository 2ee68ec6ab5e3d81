from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["reservation"]
    readonly_fields = ["claim_token", "lease_expires_at", "dedupe_key"]
    actions = ["send_again"]

    @admin.action(description=_("Send again (failed notifications)"))
    def send_again(self, request, queryset):
        count = queryset.filter(status=Notification.Status.FAILED).update(
            status=Notification.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
        )
        self.message_user(request, _("Notifications queued again: %(n)d") % {"n": count}, messages.SUCCESS)
