from django.urls import path

from .views import auth, home

app_name = "console"

urlpatterns = [
    path("login/", auth.login_view, name="login"),
    path("otp/", auth.otp_view, name="otp"),
    path("logout/", auth.logout_view, name="logout"),
    path("", home.home_view, name="home"),
]
