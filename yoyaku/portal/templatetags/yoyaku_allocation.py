"""The top page's allocation panel (templates/portal/allocation/top_panel.html): the resident's rounds, read
here so that the top page's view needs no change to show them."""

from django import template
from django.utils import timezone

from yoyaku.booking.services import allocation as rounds

register = template.Library()


@register.simple_tag
def allocation_rows(resident):
    from ..views.allocation import round_state

    if resident is None or not rounds.any_allocation_windows():
        return []
    now = timezone.now()
    return [round_state(w, rounds.registration_of(window=w, resident=resident), now=now)
            for w in rounds.windows_for(resident, now=now)]
