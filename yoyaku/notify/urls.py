from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("", views.inbox, name="dev_inbox"),
    path("<str:name>/<int:index>/", views.message, name="dev_message"),
]
