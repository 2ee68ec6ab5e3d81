"""The console's URLs. Each area of the console keeps its own list (urls_*.py), added here."""

from django.urls import path

from . import urls_residents, urls_setup, urls_venues
from .views import auth, home

app_name = "console"

urlpatterns = [
    path("login/", auth.login_view, name="login"),
    path("otp/", auth.otp_view, name="otp"),
    path("logout/", auth.logout_view, name="logout"),
    path("", home.home_view, name="home"),
    *urls_residents.urlpatterns,
    *urls_setup.urlpatterns,
    *urls_venues.urlpatterns,
]
