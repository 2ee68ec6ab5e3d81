from .session import current_resident


def resident(request):
    """The logged-in resident, for the resident site's header (None on the console and for visitors)."""
    return {"resident": current_resident(request) if hasattr(request, "session") else None}
