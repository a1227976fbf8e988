from django.urls import path  # noqa: F401 - patterns are added by the processes issue

app_name = "processes"
urlpatterns: list = []
