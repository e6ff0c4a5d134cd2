from django.urls import path

from . import views

app_name = "lessons"
urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("search/", views.search, name="search"),  # practice (issue 13): before <track>/, so no track may be "about"
    path("<str:track>/", views.track, name="track"),
    path("<str:track>/<str:slug>/", views.lesson, name="lesson"),
]
