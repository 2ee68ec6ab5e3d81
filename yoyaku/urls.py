import os

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from django_otp.admin import OTPAdminSite

# Superusers repair data in the admin; it asks for the same second factor as the console.
admin.site.__class__ = OTPAdminSite

# The database or Redis failing outside a view (a middleware): the 503 page, not the 500 (web/faults.py).
handler500 = "yoyaku.web.faults.server_error"
handler400 = "yoyaku.web.faults.bad_request"  # a session save the database refused is a 400 in Django

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("console/", include("yoyaku.console.urls")),
    path("api/v1/", include("yoyaku.api.urls")),  # the integration API (docs/api.md)
    path("dev/mail/", include("yoyaku.notify.urls")),  # the dev inbox: a 404 unless DEBUG
    path("", include("yoyaku.portal.urls")),
]

if os.environ.get("YOYAKU_BENCH_FLOOR"):
    from .floor import floor_view

    urlpatterns.append(path("bench/floor/", floor_view))
