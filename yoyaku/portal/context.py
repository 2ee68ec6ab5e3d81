from .session import booking_for, current_resident


def resident(request):
    """The logged-in resident, for the resident site's header (None on the console and for visitors), and the
    household member the pages act for, when it is not the resident (the banner in base.html)."""
    if not hasattr(request, "session"):
        return {"resident": None, "booking_for_member": None}
    resident = current_resident(request)
    subject = booking_for(request) if resident is not None else None
    member = subject if subject is not None and subject != resident else None
    return {"resident": resident, "booking_for_member": member}
