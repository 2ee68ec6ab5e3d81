from django.urls import path
from django.views.generic import RedirectView

from .furigana import with_furigana
from .views import account, allocation, booking, contact, household, move_up, reservations, top, waiting_list

app_name = "portal"

urlpatterns = [
    path("", top.top_view, name="top"),
    path("login/", account.login_view, name="login"),
    path("logout/", account.logout_view, name="logout"),
    path("text-size/", account.text_size_view, name="text_size"),
    path("furigana/", account.furigana_view, name="furigana"),
    path("book/<int:dose>/", booking.book_view, name="book"),
    path("book/<int:dose>/check/", booking.book_check_view, name="book_check"),
    path("reservations/", reservations.history_view, name="history"),
    path("reservations/<str:code>/", reservations.detail_view, name="detail"),
    path("reservations/<str:code>/done/", booking.done_view, name="done"),
    path("reservations/<str:code>/change/", booking.change_view, name="change"),
    path("reservations/<str:code>/change/check/", booking.change_check_view, name="change_check"),
    path("reservations/<str:code>/details/", reservations.details_view, name="details"),
    path("reservations/<str:code>/details/channel/", contact.contact_channel_view, name="contact_channel"),
    path("reservations/<str:code>/print/", reservations.print_view, name="print"),
    path("reservations/<str:code>/cancel/", reservations.cancel_view, name="cancel"),
    path("reservations/<str:code>/calendar.ics", reservations.ics_view, name="ics"),
    path("household/", household.household_view, name="household"),
    path("household/for/", household.household_for_view, name="household_for"),
    path("household/<int:member_id>/remove/", household.household_remove_view, name="household_remove"),
    path("move-up/<str:token>/", move_up.offer_view, name="move_up_offer"),
    path("waiting-list/<int:dose>/", waiting_list.waiting_list_view, name="waiting_list"),
    path("allocation/", allocation.allocation_view, name="allocation"),
    path("allocation/<int:window_id>/wishes/", allocation.wishes_view, name="allocation_wishes"),
    path("allocation/<int:window_id>/withdraw/", allocation.withdraw_view, name="allocation_withdraw"),
    path("allocation/<int:window_id>/confirm/", allocation.confirm_view, name="allocation_confirm"),
    path("allocation/<int:window_id>/decline/", allocation.decline_view, name="allocation_decline"),
    # Offer emails sent before the move-up URLs were renamed still link here.
    path("moveup/<str:token>/", RedirectView.as_view(pattern_name="portal:move_up_offer", permanent=True)),
]

# Every resident page can be read with furigana and easy Japanese (yoyaku/portal/furigana.py).
for _pattern in urlpatterns:
    if getattr(_pattern.callback, "view_class", None) is None and _pattern.name not in {"ics"}:
        _pattern.callback = with_furigana(_pattern.callback)
