"""How the resident gets our messages (email, SMS, LINE): a small form on the contact details page of their
own reservations (docs/channels.md)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yoyaku.booking import services
from yoyaku.booking.errors import BookingError
from yoyaku.booking.models import Resident
from yoyaku.booking.services.contact import resident_set_contact_channel
from yoyaku.web.contact import ContactChannelForm
from yoyaku.web.request import client_address

from ..session import current_resident, resident_required
from .common import own_reservation


@resident_required
@require_POST
def contact_channel_view(request, code: str):
    reservation = own_reservation(request, code)
    resident = current_resident(request)
    if reservation.resident_id != resident.pk:
        raise Http404  # a household member's reservation: their channel is theirs to choose
    form = ContactChannelForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["contact_channel"][0])
        return redirect("portal:details", code=reservation.code)
    channel = form.cleaned_data["contact_channel"]
    try:
        changed = resident_set_contact_channel(
            actor=services.Actor.for_resident(resident, client_address=client_address(request)),
            resident=resident, channel=channel)
    except BookingError as error:
        messages.error(request, error.message)
    else:
        if changed:
            messages.success(request, _("From now on we send your messages by %(channel)s.")
                             % {"channel": Resident.ContactChannel(channel).label})
        else:
            messages.info(request, _("Nothing was changed."))
    return redirect("portal:details", code=reservation.code)
