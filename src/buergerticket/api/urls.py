from django.urls import path  # noqa: F401 - patterns are added by the api issue

app_name = "api"
urlpatterns: list = []
