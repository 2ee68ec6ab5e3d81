from django.urls import path
from django.views.generic import RedirectView

from .views import account, allocation, booking, move_up, reservations, top

app_name = "portal"

urlpatterns = [
    path("", top.top_view, name="top"),
    path("login/", account.login_view, name="login"),
    path("logout/", account.logout_view, name="logout"),
    path("text-size/", account.text_size_view, name="text_size"),
    path("book/<int:dose>/", booking.book_view, name="book"),
    path("book/<int:dose>/check/", booking.book_check_view, name="book_check"),
    path("reservations/", reservations.history_view, name="history"),
    path("reservations/<str:code>/", reservations.detail_view, name="detail"),
    path("reservations/<str:code>/done/", booking.done_view, name="done"),
    path("reservations/<str:code>/change/", booking.change_view, name="change"),
    path("reservations/<str:code>/change/check/", booking.change_check_view, name="change_check"),
    path("reservations/<str:code>/details/", reservations.details_view, name="details"),
    path("reservations/<str:code>/print/", reservations.print_view, name="print"),
    path("reservations/<str:code>/cancel/", reservations.cancel_view, name="cancel"),
    path("reservations/<str:code>/calendar.ics", reservations.ics_view, name="ics"),
    path("move-up/<str:token>/", move_up.offer_view, name="move_up_offer"),
    path("allocation/", allocation.allocation_view, name="allocation"),
    # Offer emails sent before the move-up URLs were renamed still link here.
    path("moveup/<str:token>/", RedirectView.as_view(pattern_name="portal:move_up_offer", permanent=True)),
]
