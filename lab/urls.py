from django.urls import path

from . import views

app_name = "demos"
urlpatterns = [
    path("", views.demo_index, name="index"),
    path("reset/", views.reset, name="reset"),
    path("<str:slug>/run/", views.run, name="run"),
]
