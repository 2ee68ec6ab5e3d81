"""The integration API's URLs, included from yoyaku/urls.py under api/v1/ (namespace "api")."""

from .api import api

urlpatterns = api.urls[0]
app_name = "api"
