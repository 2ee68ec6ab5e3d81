"""The reservation's QR code for check-in at the venue (受付): what it holds, and how it is drawn.

The code holds a signed token and nothing else: the 予約ID (already printed on every confirmation) and an
HMAC of it with the site's SECRET_KEY under its own salt (django.core.signing), "K7M2QX9A:<signature>". No
name, birth date, ticket number or phone: a photo of the code tells a stranger no more than the 予約ID
printed beside it, and a code made up or altered (another ID with a copied signature) is refused at the
venue. The token does not expire: what the reservation is now (cancelled, moved, done) is checked when it
is scanned. Rotating SECRET_KEY keeps old codes valid while the old key is in SECRET_KEY_FALLBACKS.

Drawn with segno (pure Python): inline SVG for the pages, PNG for the email's attachment, always with the data
mask MASK. Left to itself segno scores all eight masks and keeps the best (ISO/IEC 18004 7.8.3), which cost
3 of the done page's 12 ms (bench/README.md, issue 11). Every reader reads every mask; the score only steers
clear of large same-coloured areas and finder-like runs, which structured data can make. Our data is a
signature (random bits) plus Reed-Solomon words, so all eight score alike: over 300 tokens segno's penalty
ranged 1,292-1,863 whatever the mask; mask 2 had the lowest mean (about 1,490, against about 1,414 for the
best of the eight per token) and a maximum (1,735-1,755 in two samples) below most other masks' maxima.
tests/booking/test_check_in_qr.py reads codes back with jsQR, the console's reader.
"""

from __future__ import annotations

import io

import segno
from django.core import signing

from . import rules
from .errors import InvalidInput

SALT = "yoyaku.booking.check-in-qr"
MASK = 2  # the data mask pattern (above)
SEPARATOR = ":"


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, sep=SEPARATOR)


def check_in_token(code: str) -> str:
    """The token the QR code of reservation `code` holds."""
    return _signer().sign(code)


def looks_like_token(text: str) -> bool:
    """What was scanned (or pasted) is a token rather than a 予約ID typed by hand."""
    return SEPARATOR in (text or "")


def code_of_token(token: str) -> str | None:
    """The 予約ID a token was made for, or None when the token is not one of ours (forged, altered, cut short
    or another QR code altogether)."""
    try:
        code = _signer().unsign((token or "").strip())
    except signing.BadSignature:
        return None
    try:
        return rules.normalize_reservation_code(code)
    except InvalidInput:
        return None


def _qr(code: str) -> segno.QRCode:
    # Level M: readable from a creased printout or a phone screen with a glare; the token fits in version 4.
    return segno.make(check_in_token(code), error="m", micro=False, mask=MASK)


def qr_svg(code: str, *, label: str) -> str:
    """Inline SVG (no style attribute: the site's CSP has no 'unsafe-inline'), named `label` for screen readers."""
    svg = _qr(code).svg_inline(scale=4, border=4, dark="#000", light="#fff", svgclass="qr", lineclass=None)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{_attribute(label)}" ', 1)


def qr_png(code: str) -> bytes:
    """The same code as a PNG, for the email (an attachment, which every mail client shows)."""
    out = io.BytesIO()
    _qr(code).save(out, kind="png", scale=6, border=4)
    return out.getvalue()


def _attribute(text: str) -> str:
    return (str(text).replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;"))
