from django.urls import path

from .share_image import share_card

urlpatterns = [
    path("share/<int:page_id>.png", share_card, name="share_card"),
]
