"""{% contact_channel_form reservation %}: the form choosing how the resident gets our messages, on the contact
details page of their own reservations; nothing when the city offers email only (nothing to choose) or the
reservation is a household member's."""

from django import template

from yoyaku.booking.models import Resident
from yoyaku.web.contact import ContactChannelForm

from ..session import current_resident

register = template.Library()


@register.inclusion_tag("portal/contact_channel.html", takes_context=True)
def contact_channel_form(context, reservation):
    resident = current_resident(context["request"])
    if resident is None or reservation.resident_id != resident.pk:
        return {"form": None}
    form = ContactChannelForm(initial={"contact_channel": resident.contact_channel})
    choices = [value for value, _label in form.fields["contact_channel"].choices]
    if len(choices) < 2:
        return {"form": None}
    return {"form": form, "reservation": reservation, "csrf_token": context.get("csrf_token"),
            "line_needs_link": Resident.ContactChannel.LINE in choices and not resident.line_user_id}
