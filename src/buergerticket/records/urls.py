from django.urls import path  # noqa: F401 - patterns are added by the records issue

app_name = "records"
urlpatterns: list = []
