from django.apps import AppConfig


class WebConfig(AppConfig):
    """The shared web layer below the resident site and the console: forms, page rendering, the time
    choice and calendar, query parsing, the client's address, login throttling, date formats."""

    name = "yoyaku.web"
    label = "web"

    def ready(self):
        from . import checks  # registers the deploy check (yoyaku.W001)

        checks.warn_at_startup()
