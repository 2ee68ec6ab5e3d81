import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yoyaku.settings")

application = get_wsgi_application()

# Each worker warms itself before it accepts a connection, not on residents' first requests (web/warm.py).
if os.environ.get("YOYAKU_WARM_UP", "1") != "0":
    from yoyaku.web.warm import warm_up

    warm_up()
