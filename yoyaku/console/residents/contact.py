"""How a resident gets our messages (email, SMS, LINE), changed by staff for a caller, with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yoyaku.booking.errors import BookingError
from yoyaku.booking.models import Resident
from yoyaku.booking.services.contact import resident_set_contact_channel, resident_sms_number
from yoyaku.web.contact import ContactChannelForm
from yoyaku.web.pages import page
from yoyaku.web.request import staff_actor

from ..forms import reason_field
from ..roles import CALL_CENTRE, CITY_ADMIN, staff_required


class StaffContactChannelForm(ContactChannelForm):
    reason = reason_field()


@staff_required(CITY_ADMIN, CALL_CENTRE)
@require_http_methods(["GET", "POST"])
def contact_channel_view(request, resident_id: int):
    resident = get_object_or_404(Resident, pk=resident_id)
    form = StaffContactChannelForm(request.POST or None, initial={"contact_channel": resident.contact_channel})
    form.fields["contact_channel"].label = _("Send messages by")
    if request.method == "POST" and form.is_valid():
        channel = form.cleaned_data["contact_channel"]
        try:
            changed = resident_set_contact_channel(actor=staff_actor(request), resident=resident, channel=channel,
                                                   reason=form.cleaned_data["reason"])
        except BookingError as error:
            form.add_error("contact_channel", error.message)
        else:
            if changed:
                messages.success(request, _("Messages now go by %(channel)s.")
                                 % {"channel": Resident.ContactChannel(channel).label})
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("console:resident_detail", resident_id=resident.pk)
    return page(request, "console/residents/contact.html", {
        "resident": resident, "form": form, "has_mobile": bool(resident_sms_number(resident)),
    }, forms=[form])
