from django.utils import timezone

from .roles import role_labels, roles_of


def staff(request):
    """The console's header: the roles (codes for the menus, words for people) and when the session ends.

    A console page a staff member opens saves the session again, so the idle time-out (SESSION_COOKIE_AGE)
    runs from the last page seen and the header can say exactly when it ends."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "console":
        return {}
    user = getattr(request, "user", None)
    context = {"staff_roles": roles_of(user), "staff_role_labels": role_labels(user)}
    if getattr(user, "is_authenticated", False) and hasattr(request, "session"):
        request.session.modified = True
        context["session_ends"] = timezone.now() + timezone.timedelta(seconds=request.session.get_expiry_age())
    return context
