from django.urls import path

from propass.products import views

app_name = "products"

urlpatterns = [path("products/", views.product_list, name="list")]
