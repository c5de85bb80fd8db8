from django.contrib import admin

from propass.catalog.models import Dealer, ProductModel


@admin.register(ProductModel)
class ProductModelAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "points", "eligible", "end_of_support"]
    list_filter = ["category", "eligible"]
    search_fields = ["code", "name"]


@admin.register(Dealer)
class DealerAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "country"]
    list_filter = ["country"]
    search_fields = ["name", "city"]
