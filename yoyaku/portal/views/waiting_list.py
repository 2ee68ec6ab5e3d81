"""The waiting list (空き待ち): a resident who finds every place taken puts their name down for a dose, with
the email address the offers go to. When a place frees up that nobody on the move-up list takes, it is offered
to them by email (booking/services/move_up_offers.py); accepting books it (/move-up/<token>/).

One page per dose: the form to join (only when the dose could be booked: eligible and not booked yet), or the
entry and a button to leave. The resident acts for themself; the call centre can put anyone on a list."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yoyaku.booking import selectors, services
from yoyaku.web.pages import page
from yoyaku.web.request import client_address

from ..forms import WaitingListForm
from ..session import current_resident, resident_required


@resident_required
@require_http_methods(["GET", "POST"])
def waiting_list_view(request, dose: int):
    resident = current_resident(request)
    actor = services.Actor.for_resident(resident, client_address=client_address(request))
    entry = selectors.waiting_list_entry(resident=resident, dose_number=dose)
    if entry is not None:
        if request.method == "POST":
            services.standby_withdraw(actor=actor, entry=entry)
            messages.success(request, _("You are off the waiting list for dose %(dose)s.") % {"dose": dose})
            return redirect("portal:top")
        return page(request, "portal/waiting_list.html", {"nav": "top", "dose": dose, "entry": entry})
    refusal = selectors.booking_refusal(resident=resident, dose_number=dose, now=timezone.now())
    form = WaitingListForm(request.POST or None, initial={"email": selectors.last_email(resident=resident)})
    if refusal is None and request.method == "POST" and form.is_valid():
        services.standby_join(actor=actor, resident=resident, dose_number=dose, email=form.cleaned_data["email"])
        messages.success(request, _("You are on the waiting list for dose %(dose)s. When a place frees up, we "
                                    "email you.") % {"dose": dose})
        return redirect("portal:top")
    return page(request, "portal/waiting_list.html", {"nav": "top", "dose": dose, "refusal": refusal, "form": form},
                forms=[form] if refusal is None else [])
