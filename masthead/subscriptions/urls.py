"""The reader's side of subscriptions, in both editions."""

from django.urls import path

from . import views

app_name = "subscriptions"

urlpatterns = [
    path("", views.plans, name="plans"),
    path("checkout/<int:plan_id>/", views.checkout, name="checkout"),
    path("orders/<str:reference>/", views.order_detail, name="order"),
    path("account/", views.account, name="account"),
    path("billing/", views.billing, name="billing"),
    path("<int:subscription_id>/cancel/", views.cancel, name="cancel"),
    path("<int:subscription_id>/resume/", views.resume, name="resume"),
    path("unlock/<int:article_id>/", views.unlock, name="unlock"),
    path("gift/<int:article_id>/", views.gift, name="gift"),
    path("gifts/", views.gifts, name="gifts"),
]
