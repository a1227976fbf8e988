from django.urls import path  # noqa: F401 - patterns are added by the knowledge issue

app_name = "knowledge"
urlpatterns: list = []
