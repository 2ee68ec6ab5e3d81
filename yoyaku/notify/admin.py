from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "status", "attempts", "sent_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["reservation"]
