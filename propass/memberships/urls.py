from django.urls import path

from propass.memberships import views

app_name = "memberships"

urlpatterns = [
    path("subscriptions/", views.subscriptions, name="subscriptions"),
    path("subscriptions/checkout/<slug:tier>/", views.checkout, name="checkout"),
    path("subscriptions/manage/", views.manage, name="manage"),
    path("subscriptions/card/", views.card, name="card"),
    path("verify/<str:code>/", views.verify, name="verify"),
]
