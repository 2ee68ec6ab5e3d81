"""{% chrome %}…{% endchrome %}: the site's chrome (header, language and text-size forms, navigation, footer)
rendered once per process for each way it can look, then reused.

The chrome is the same for every resident who reads the site in the same language, text size and furigana
setting, logged in or not, on the same navigation tab; only the CSRF token and the page's own address (the
forms' `next`) differ per request. It is rendered with markers in their place, kept, and the markers are
replaced on each request. Before this the chrome was about half of a small page's server time (issue 11).
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

CSRF_MARK = "yoyakuChromeCsrfMark"
NEXT_MARK = "yoyakuChromeNextMark"
_kept: dict[tuple, str] = {}


class ChromeNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        request = context.get("request")
        token = context.get("csrf_token")
        if request is None or token is None:  # rendered outside a request (an error page, an email): as is
            with context.push(chrome_next=request.get_full_path() if request is not None else ""):
                return self.nodelist.render(context)
        key = (id(self), get_language(), context.get("text_size"), request.COOKIES.get("furigana") == "1",
               bool(context.get("resident")), context.get("nav"), context.get("city_name"))
        html = _kept.get(key)
        if html is None:
            with context.push(csrf_token=CSRF_MARK, chrome_next=NEXT_MARK):
                html = str(self.nodelist.render(context))
            if len(_kept) > 1000:  # bounded; the real number of variants is a few dozen
                _kept.clear()
            _kept[key] = html
        # The kept chrome was rendered (and escaped) by the template engine; the two values put in are escaped here.
        page = html.replace(CSRF_MARK, escape(str(token))).replace(NEXT_MARK, escape(request.get_full_path()))
        return mark_safe(page)  # noqa: S308


@register.tag
def chrome(parser, token):
    nodelist = parser.parse(("endchrome",))
    parser.delete_first_token()
    return ChromeNode(nodelist)
