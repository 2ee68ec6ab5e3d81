"""What every page's chrome shows, on both sites: the city, the call centre, the text size."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

TEXT_SIZES = [("s", _("Small")), ("m", _("Medium")), ("l", _("Large"))]
TEXT_SIZE_COOKIE = "text_size"


def site(request):
    city = settings.YOYAKU
    size = request.COOKIES.get(TEXT_SIZE_COOKIE, "m")
    return {
        "city_name": city["CITY_NAME"],
        "call_centre_phones": city["CALL_CENTRE_PHONES"],
        "call_centre_hours": city["CALL_CENTRE_HOURS"],
        "text_size": size if size in {"s", "m", "l"} else "m",
        "text_sizes": TEXT_SIZES,
        "what_to_bring": city["WHAT_TO_BRING"],
    }
