"""Staff roles and the one decorator every console view wears.

Three roles, as Django groups: city admin (everything), call-centre operator (residents and reservations),
venue staff (rosters and check-in of their own venues, listed in StaffProfile.venues). A superuser is a
city admin. Every console view requires a logged-in staff account whose second factor (TOTP) is verified
in this session, and one of the roles the view names; object-level checks (a venue's roster) use
`venue_ids_of`.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy

CITY_ADMIN = "city_admin"
CALL_CENTRE = "call_centre"
VENUE_STAFF = "venue_staff"
ROLES = (CITY_ADMIN, CALL_CENTRE, VENUE_STAFF)
# The health office's own words for its people, shown wherever a role is (never the code).
ROLE_LABELS = {
    CITY_ADMIN: gettext_lazy("Health office (city administrator)"),
    CALL_CENTRE: gettext_lazy("Call centre (予約相談センター)"),
    VENUE_STAFF: gettext_lazy("Venue staff"),
}


def role_labels(user) -> list:
    """The user's roles in words, in the order of ROLES."""
    roles = roles_of(user)
    return [ROLE_LABELS[role] for role in ROLES if role in roles]


def roles_of(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_yoyaku_roles", None)
    if cached is None:
        names = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        if user.is_superuser:
            names.add(CITY_ADMIN)
        cached = frozenset(names)
        user._yoyaku_roles = cached
    return cached


def venue_ids_of(user) -> frozenset[int] | None:
    """The venues whose rosters this user may see: None means every venue (city admin)."""
    roles = roles_of(user)
    if CITY_ADMIN in roles:
        return None
    if VENUE_STAFF not in roles:
        return frozenset()
    profile = getattr(user, "staff_profile", None)
    return frozenset(profile.venues.values_list("pk", flat=True)) if profile else frozenset()


def staff_required(*allowed: str):
    """Allow a view to staff with a verified second factor and one of `allowed` roles (403 otherwise)."""
    unknown = set(allowed) - set(ROLES)
    assert allowed and not unknown, f"unknown roles {unknown}"

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect(f"{reverse('console:login')}?next={quote(request.path)}")
            if not user.is_verified():
                return redirect(f"{reverse('console:otp')}?next={quote(request.path)}")
            if not roles_of(user) & set(allowed):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = frozenset(allowed)
        return wrapper

    return decorator
