from .roles import roles_of


def staff(request):
    if not request.path.startswith("/console/"):
        return {}
    return {"staff_roles": roles_of(getattr(request, "user", None))}
