from .roles import roles_of


def staff(request):
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "console":
        return {}
    return {"staff_roles": roles_of(getattr(request, "user", None))}
