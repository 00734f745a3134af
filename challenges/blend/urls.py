from django.urls import path

from . import views

app_name = "blend"
urlpatterns = [
    path("<slug:slug>/", views.home, name="home"),
    path("<slug:slug>/questions/<int:question_id>/", views.answer, name="answer"),
    path("<slug:slug>/questions/<int:question_id>/skip/", views.skip, name="skip"),
    path("<slug:slug>/mine/", views.mine, name="mine"),
    path("<slug:slug>/validate/", views.validate, name="validate"),
    path("<slug:slug>/validate/<int:answer_id>/", views.validate_answer, name="validate_answer"),
    path("<slug:slug>/countries/", views.countries, name="countries"),
    path("<slug:slug>/questions/", views.questions, name="questions"),
    path("<slug:slug>/questions/upload/", views.upload, name="upload"),
]
