from django.urls import path

from . import views

app_name = "lessons"
urlpatterns = [
    path("", views.home, name="home"),
    path("<str:track>/", views.track, name="track"),
    path("<str:track>/<str:slug>/", views.lesson, name="lesson"),
]
