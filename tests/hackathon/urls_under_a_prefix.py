"""The site's URLs under /under/: another URL configuration, for the remembered {% url %}."""

from django.urls import include, path

urlpatterns = [path("under/", include("hackathon.urls"))]
