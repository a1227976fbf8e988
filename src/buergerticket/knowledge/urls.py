from django.urls import path

from buergerticket.knowledge.views import staff

app_name = "knowledge"
urlpatterns = [
    path("", staff.index, name="index"),
    path("neu/", staff.create, name="create"),
    path("<slug:slug>/", staff.detail, name="detail"),
    path("<slug:slug>/bearbeiten/", staff.edit, name="edit"),
    path("<slug:slug>/archivieren/", staff.archive, name="archive"),
    path("<slug:slug>/versionen/<int:number>/", staff.version, name="version"),
    path("<slug:slug>/versionen/<int:number>/wiederherstellen/", staff.restore, name="restore"),
]
