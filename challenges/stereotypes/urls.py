from django.urls import path

from challenges.stereotypes import views

app_name = "stereotypes"
urlpatterns = [
    path("<slug:slug>/", views.home, name="home"),
    path("<slug:slug>/rate/", views.rate, name="rate"),
    path("<slug:slug>/consent/", views.consent, name="consent"),
    path("<slug:slug>/profile/", views.profile, name="profile"),
    path("<slug:slug>/pool/", views.pool, name="pool"),
    path("<slug:slug>/pool/upload/", views.upload_pool, name="upload"),
    path("<slug:slug>/invalidate/", views.invalidate, name="invalidate"),
]
