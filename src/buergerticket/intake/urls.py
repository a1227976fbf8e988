from django.urls import path  # noqa: F401 - patterns are added by the intake issue

app_name = "intake"
urlpatterns: list = []
