"""Households (家族の予約; docs/allocation.md, Households): the household page lists the logged-in resident and
the family members they added, with each person's doses and next step; members are added by their own ticket number and
date of birth (throttled like the login), removed, and chosen as the person the booking pages act for.

Choosing a member (「○○さんの予約・変更・キャンセル」) stores the member in the session (session.set_booking_for);
the booking, history and reservation pages then act on that member while the logged-in resident stays the
actor, and every request checks again that the member is still in the household. Nobody is ever logged in as
the member.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yoyaku.booking import selectors, services
from yoyaku.booking.errors import BookingError, HouseholdNotVerified, call_centre_text
from yoyaku.web import throttle
from yoyaku.web.pages import page, safe_next
from yoyaku.web.query import query_int
from yoyaku.web.request import client_address

from ..forms import HouseholdMemberForm
from ..session import booking_for, current_resident, resident_required, set_booking_for
from .account import _wait_text
from .common import resident_actor


def _people(holder, now) -> list[dict]:
    people = [{"resident": holder, "is_holder": True}]
    people += [{"resident": member, "is_holder": False} for member in selectors.household_members(holder=holder)]
    for person in people:
        person["doses"] = selectors.dose_rows(resident=person["resident"], now=now)
    return people


def _refused_text(verdict) -> str:
    if verdict.scope == "ticket":
        message = _("Adding with this ticket number is paused after several failed attempts. Try again in "
                    "%(wait)s, or call us.") % {"wait": _wait_text(verdict.retry_after)}
    else:
        message = _("Too many failed attempts from your connection. Try again in %(wait)s, or call us.") % {
            "wait": _wait_text(verdict.retry_after)}
    return message + " " + call_centre_text()


def _add(request, holder, form) -> bool:
    """Verify and add the member (throttled like the login: counted first, then decided). True when added."""
    ticket = form.cleaned_data["ticket_number"]
    address = client_address(request)
    verdict = throttle.attempt(ticket=ticket, address=address)
    if not verdict.allowed:
        form.add_error(None, _refused_text(verdict))
        return False
    try:
        link = services.household_member_add(actor=resident_actor(request), holder=holder, ticket_number=ticket,
                                             birth_date=form.cleaned_data["password"])
    except HouseholdNotVerified as error:
        outcome = throttle.failed(ticket=ticket, address=address, counted=True)
        services.login_failed(actor=resident_actor(request), subject_hash=throttle.ticket_hash(ticket),
                              reason="wrong_password", site="household",
                              locked=outcome.scope if outcome.locked_now else "")
        form.add_error(None, error.message)
        return False
    except BookingError as error:  # both matched (self, already a member, household full)
        throttle.succeeded(ticket=ticket, address=address)
        form.add_error(None, error.message)
        return False
    throttle.succeeded(ticket=ticket, address=address)
    messages.success(request, _("%(name)s has been added to your household.") % {"name": link.member.full_name})
    return True


@resident_required
@require_http_methods(["GET", "POST"])
def household_view(request):
    holder = current_resident(request)
    form = HouseholdMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _add(request, holder, form):
        return redirect("portal:household")
    people = _people(holder, timezone.now())
    limit = settings.YOYAKU["HOUSEHOLD_LIMIT"]
    return page(request, "portal/household.html", {
        "nav": "household", "people": people, "form": form, "limit": limit,
        "can_add": len(people) - 1 < limit, "subject": booking_for(request),
    }, forms=[form])


@resident_required
@require_POST
def household_for_view(request):
    """Act for this person from now on: a household member, or (empty / own id) the logged-in resident."""
    holder = current_resident(request)
    member_id = query_int(request.POST.get("member"))
    member = None
    if member_id is not None and member_id != holder.pk:
        member = selectors.household_member(holder_id=holder.pk, member_id=member_id)
        if member is None:
            messages.error(request, _("This person is not in your household."))
            return redirect("portal:household")
    set_booking_for(request, member)
    return redirect(safe_next(request, reverse("portal:top")))


@resident_required
@require_POST
def household_remove_view(request, member_id: int):
    holder = current_resident(request)
    member = selectors.household_member(holder_id=holder.pk, member_id=member_id)
    if services.household_member_remove(actor=resident_actor(request), holder=holder, member_id=member_id):
        if booking_for(request).pk == member_id:
            set_booking_for(request, None)
        messages.success(request, _("%(name)s has been removed from your household. Their reservations are kept.")
                         % {"name": member.full_name if member else ""})
    return redirect("portal:household")
