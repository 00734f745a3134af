"""The site's URLs and one view that fails, for the error-reporting tests."""

from django.urls import path

from hackathon.urls import urlpatterns as site_urlpatterns


class LaunchDayFailure(Exception):
    pass


def broken(request):
    raise LaunchDayFailure("the view failed")


urlpatterns = [path("broken/", broken), *site_urlpatterns]
