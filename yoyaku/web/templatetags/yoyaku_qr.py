"""{% reservation_qr reservation %}: the reservation's check-in QR code as inline SVG (booking/qr.py), for an
active reservation only (a cancelled or past one has nothing to show at the venue)."""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from yoyaku.booking import qr

register = template.Library()


@register.simple_tag
def reservation_qr(reservation) -> str:
    if reservation is None or not reservation.is_active:
        return ""
    label = _("QR code for the reception at the venue (reservation ID %(code)s)") % {"code": reservation.code}
    # segno's own markup of a token we signed; the one text in it, the label, is escaped by qr_svg.
    return mark_safe(qr.qr_svg(reservation.code, label=label))  # noqa: S308
