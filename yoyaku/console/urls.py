"""The console's URLs. Each area of the console (a package: residents, setup, venues, reports) keeps its own
list, added here."""

from django.urls import path

from . import auth, home
from .allocation import urls as allocation_urls
from .integrations import urls as integrations_urls
from .reports import urls as reports_urls
from .residents import urls as residents_urls
from .setup import urls as setup_urls
from .stewardship import urls as stewardship_urls
from .venues import urls as venues_urls

app_name = "console"

urlpatterns = [
    path("login/", auth.login_view, name="login"),
    path("otp/", auth.otp_view, name="otp"),
    path("logout/", auth.logout_view, name="logout"),
    path("", home.home_view, name="home"),
    *residents_urls.urlpatterns,
    *setup_urls.urlpatterns,
    *venues_urls.urlpatterns,
    *reports_urls.urlpatterns,
    *integrations_urls.urlpatterns,
    *allocation_urls.urlpatterns,
    *stewardship_urls.urlpatterns,
]
