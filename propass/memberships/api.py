from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from propass.accounts.rest import caller_business
from propass.core.api import ErrorSerializer
from propass.core.errors import NotFound
from propass.core.ratelimit import client_address
from propass.memberships.benefits import BenefitLine, BenefitsSummary, CardCheck, benefits_summary, card_check
from propass.memberships.enums import CAPPED_KINDS, BenefitKind
from propass.memberships.selectors import TierOffer, tier_offers


def _quantity(line: BenefitLine, value: Decimal | None) -> str | None:
    """A count ("2") or, for a capped discount, money ("300.00"): a decimal string either way."""
    if value is None:
        return None
    return f"{value:.2f}" if line.kind in CAPPED_KINDS else str(int(value))


class BenefitLineSerializer(serializers.Serializer[BenefitLine]):
    """A benefit as a tier gives it. `allowance` is per membership year: uses for counted
    benefits, money in the offer's currency for the repair discount's cap; null without one."""

    code = serializers.CharField()
    kind = serializers.ChoiceField(choices=BenefitKind.choices)
    name = serializers.CharField()
    summary = serializers.CharField()
    days = serializers.IntegerField(allow_null=True)
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    allowance = serializers.SerializerMethodField()
    per_body = serializers.BooleanField(help_text="The allowance counts per registered camera body (corporate).")

    def get_allowance(self, line: BenefitLine) -> str | None:
        return _quantity(line, line.allowance)


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
    benefits = BenefitLineSerializer(many=True)

    def get_prices(self, offer: TierOffer) -> dict[str, str]:
        return {str(years): f"{amount:.2f}" for years, amount in offer.prices.items()}

    def get_terms(self, offer: TierOffer) -> list[int]:
        return list(offer.prices)


class TierListView(APIView):
    """Every tier on sale, with whether the caller's points open it, its prices (excluding
    VAT, in the business's currency, per term in years) and its benefits."""

    @extend_schema(responses=TierSerializer(many=True))
    def get(self, request: Request) -> Response:
        data: Any = TierSerializer(tier_offers(business=caller_business(request)), many=True).data  # type: ignore[arg-type]
        return Response(data)


class BenefitUseSerializer(BenefitLineSerializer):
    """A benefit of the membership with what is used and left this membership year."""

    description = serializers.CharField()
    used = serializers.SerializerMethodField()
    remaining = serializers.SerializerMethodField()
    turnaround_days = serializers.SerializerMethodField()

    def get_used(self, line: BenefitLine) -> str | None:
        return _quantity(line, line.used)

    def get_remaining(self, line: BenefitLine) -> str | None:
        return _quantity(line, line.remaining)

    def get_turnaround_days(self, line: BenefitLine) -> int | None:
        return line.days if line.kind == BenefitKind.REPAIR_TURNAROUND else None


class BenefitsSerializer(serializers.Serializer[BenefitsSummary]):
    tier = serializers.CharField(source="tier.code")
    tier_name = serializers.CharField(source="tier.name")
    usable = serializers.BooleanField(help_text="False while the membership is suspended: nothing can be used.")
    year_starts_on = serializers.DateField()
    year_ends_on = serializers.DateField(help_text="The last day of the membership year.")
    currency = serializers.CharField(source="subscription.currency")
    benefits = BenefitUseSerializer(many=True, source="lines")


class BenefitsView(APIView):
    """What the membership includes, used and left this membership year (the card's VIEW)."""

    @extend_schema(responses=BenefitsSerializer, summary="The membership's benefits, used and left")
    def get(self, request: Request) -> Response:
        summary = benefits_summary(business=caller_business(request))
        if summary is None:
            raise NotFound(_("Your business has no active membership."), code="no_membership")
        return Response(BenefitsSerializer(summary).data)


class CardCheckSerializer(serializers.Serializer[CardCheck]):
    """Valid or not and, only for a valid card, the program, tier, end date and business name;
    an unknown, replaced or ended code answers exactly like any other invalid one."""

    valid = serializers.BooleanField()
    program = serializers.CharField()
    tier = serializers.CharField()
    valid_until = serializers.DateField(allow_null=True)
    business = serializers.CharField()


class CardVerifyView(APIView):
    """Check a member card's code (the QR code of `/subscriptions/card/`); anyone may ask, a
    limited number of times a minute per client address."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses={200: CardCheckSerializer, 429: ErrorSerializer},
        summary="Check a member card",
    )
    def get(self, request: Request, code: str) -> Response:
        check = card_check(code=code, client=client_address(request))
        return Response(
            CardCheckSerializer(check).data, headers={"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
        )
