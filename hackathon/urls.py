from django.contrib import admin
from django.urls import include, path

from challenges.views import healthz, robots_txt, switch_language

# Django's limits on what it reads of a request get the same 413 page as a body over the limit.
handler400 = "hackathon.middleware.bad_request"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots_txt"),
    # First among the apps: the public leaderboard is what thousands load at the announcement,
    # and the resolver tries the patterns in order (after every other app's, it cost ~60 µs).
    path("", include("scoring.urls")),
    path("", include("judging.urls")),
    # Next, the challenges' pages, the "next item" pages among them: before allauth's many
    # patterns, each under a prefix of its own (resolving them cost ~31 µs, now ~22 µs).
    path("include/", include("challenges.include.urls")),
    path("stereotypes/", include("challenges.stereotypes.urls")),
    path("blend/", include("challenges.blend.urls")),
    path("preferences/", include("challenges.preferences.urls")),
    path("arena/", include("challenges.arena.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("language/<str:code>/", switch_language, name="language"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("teams.urls")),
    path("team/project/", include("challenges.projects.urls")),
    path("", include("hub.urls")),
    path("", include("notifications.urls")),
    path("", include("announcements.urls")),
    path("", include("schedule.urls")),
    path("", include("challenges.urls")),
]
