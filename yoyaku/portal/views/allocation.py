"""Allocation mode on the resident site: register, change or withdraw wishes during the registration period; then
confirm or decline the appointment allocated (docs/allocation.md)."""

from django.http import HttpResponse


def allocation_view(request):  # replaced below
    return HttpResponse("")
