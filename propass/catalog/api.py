from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from propass.catalog.models import ProductModel
from propass.catalog.selectors import catalog_search


class ProductModelSerializer(serializers.ModelSerializer[ProductModel]):
    class Meta:
        model = ProductModel
        fields = ["id", "code", "name", "category", "points", "eligible", "launch_date", "end_of_support"]


@extend_schema(parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="words in the name or code")])
class CatalogListView(ListAPIView[ProductModel]):
    serializer_class = ProductModelSerializer

    def get_queryset(self) -> Any:
        return catalog_search(q=self.request.query_params.get("q", ""))
