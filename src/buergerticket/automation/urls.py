from django.urls import path  # noqa: F401 - patterns are added by the automation issue

app_name = "automation"
urlpatterns: list = []
