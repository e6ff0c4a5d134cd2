from django.urls import path

from . import views

app_name = "runtime"
urlpatterns = [
    path("manifest.json", views.manifest, name="manifest"),
    path("<path:name>", views.runtime_file, name="file"),
]
