"""Every page has a favicon (no 404 on each page view) and the resident site a meta description in the page's
language (issue 17: Lighthouse best practices and SEO)."""

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import translation

pytestmark = pytest.mark.django_db

ICON = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'


def test_the_favicon_is_a_small_svg_in_the_static_files():
    path = finders.find("favicon.svg")
    assert path, "yoyaku/static/favicon.svg"
    text = open(path, encoding="utf-8").read()
    assert text.startswith("<svg") and len(text) < 2000


def test_resident_pages_link_the_favicon_and_describe_the_site_in_their_language():
    client = Client()
    english = client.get("/login/", headers={"accept-language": "en"}).content.decode()
    assert ICON in english
    assert ('<meta name="description" content="Book, change or cancel your vaccination appointment with '
            in english)
    client.post("/i18n/setlang/", {"language": "ja", "next": "/login/"})
    with translation.override("ja"):
        japanese = client.get("/login/").content.decode()
    assert ICON in japanese
    assert "のワクチン接種の予約・変更・キャンセルがインターネットでできます。" in japanese


def test_console_pages_link_the_favicon():
    assert ICON in Client().get("/console/login/").content.decode()


def test_favicon_ico_leads_to_the_favicon(client):
    """Pages without the link (the Django admin, the dev inbox) make browsers ask for /favicon.ico."""
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
