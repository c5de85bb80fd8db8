from django.urls import path

from propass.products import views

app_name = "products"

urlpatterns = [
    path("products/", views.product_list, name="list"),
    path("products/export.csv", views.product_export, name="export"),
    path("products/migrate/", views.product_migrate, name="migrate"),
    path("products/register/", views.product_register, name="register"),
    path("products/catalog/", views.catalog_options, name="catalog_options"),
    path("products/<int:pk>/", views.product_detail, name="detail"),
    path("products/<int:pk>/delete/", views.product_delete, name="delete"),
    path("products/<int:pk>/transfer/", views.transfer_new, name="transfer_new"),
    path("products/transfers/<int:pk>/", views.transfer_detail, name="transfer"),
    path("products/transfers/<int:pk>/decline/", views.transfer_decline_view, name="transfer_decline"),
    path("products/transfers/<int:pk>/cancel/", views.transfer_cancel_view, name="transfer_cancel"),
]
