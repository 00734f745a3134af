from django.urls import path

from challenges.include import views

app_name = "include"
urlpatterns = [
    path("<slug:slug>/", views.home, name="home"),
    path("<slug:slug>/exams/new/", views.new_exam, name="new_exam"),
    path("<slug:slug>/exams/<int:pk>/", views.exam_detail, name="exam"),
    path("<slug:slug>/exams/<int:pk>/upload/", views.upload, name="upload"),
    path("<slug:slug>/organize/exams/", views.organize_exams, name="organize_exams"),
    path("<slug:slug>/organize/exams/<int:pk>/decide/", views.review_exam, name="review_exam"),
]
