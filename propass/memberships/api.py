from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from propass.accounts.rest import caller_business
from propass.memberships.selectors import TierOffer, tier_offers


class TierSerializer(serializers.Serializer[TierOffer]):
    code = serializers.CharField(source="tier.code")
    name = serializers.CharField(source="tier.name")
    family = serializers.CharField(source="tier.family")
    min_points = serializers.IntegerField(source="tier.min_points")
    available = serializers.BooleanField()
    points_needed = serializers.IntegerField()
    currency = serializers.CharField()
    prices = serializers.SerializerMethodField()
    terms = serializers.SerializerMethodField()
    benefits = serializers.SerializerMethodField()

    def get_prices(self, offer: TierOffer) -> dict[str, str]:
        return {str(years): f"{amount:.2f}" for years, amount in offer.prices.items()}

    def get_terms(self, offer: TierOffer) -> list[int]:
        return list(offer.prices)

    def get_benefits(self, offer: TierOffer) -> list[str]:
        return offer.tier.benefits_for()


class TierListView(APIView):
    """Every tier on sale, with whether the caller's points open it and its prices
    (excluding VAT, in the business's currency, per term in years)."""

    @extend_schema(responses=TierSerializer(many=True))
    def get(self, request: Request) -> Response:
        data: Any = TierSerializer(tier_offers(business=caller_business(request)), many=True).data  # type: ignore[arg-type]
        return Response(data)
