import os

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.templatetags.static import static
from django.urls import include, path, reverse
from django.views.generic import RedirectView
from django.views.i18n import set_language
from django_otp.admin import OTPAdminSite


class SuperuserAdminSite(OTPAdminSite):
    """Superusers repair data in the admin, after the console's own login: password (throttled and audited
    like every staff login: web/throttle.py) and then the second factor. The admin's login page would be a
    second, unthrottled door that names the account's device: it sends to the console's login instead.
    Staff without the superuser flag are refused, verified or not (docs/security.md)."""

    def has_permission(self, request):
        return super().has_permission(request) and request.user.is_superuser

    def login(self, request, extra_context=None):
        return redirect_to_login(request.get_full_path(), reverse("console:login"))


admin.site.__class__ = SuperuserAdminSite

# The database or Redis failing outside a view (a middleware): the 503 page, not the 500 (web/faults.py).
handler500 = "yoyaku.web.faults.server_error"
handler400 = "yoyaku.web.faults.bad_request"  # a session save the database refused is a 400 in Django

class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico on pages without the link (the admin, the dev inbox)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")


urlpatterns = [
    path("favicon.ico", FaviconView.as_view()),
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
