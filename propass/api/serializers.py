from rest_framework import serializers

from propass.accounts.models import Business, User
from propass.memberships.services import subscription_current


class BusinessSerializer(serializers.ModelSerializer[Business]):
    country = serializers.CharField(source="country.code")

    class Meta:
        model = Business
        fields = ["id", "name", "country", "currency", "points_balance", "invited_at", "legacy_email", "peppol_id"]


class MeSerializer(serializers.ModelSerializer[User]):
    business = serializers.SerializerMethodField()
    membership = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "language", "business", "membership"]

    def get_business(self, user: User) -> dict | None:
        membership = getattr(user, "membership", None)
        return BusinessSerializer(membership.business).data if membership is not None else None

    def get_membership(self, user: User) -> dict | None:
        membership = getattr(user, "membership", None)
        subscription = subscription_current(business=membership.business) if membership is not None else None
        if subscription is None:
            return None
        return {
            "tier": subscription.tier.code,
            "status": subscription.status,
            "membership_number": subscription.membership_number,
            "starts_on": subscription.starts_on.isoformat(),
            "expires_on": subscription.expires_on.isoformat(),
            "auto_renew": subscription.auto_renew,
        }


class TokenRequestSerializer(serializers.Serializer[dict]):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=12,
        help_text="Staff only: the current code of their authenticator app (two-factor authentication).",
    )


class TokenSerializer(serializers.Serializer[dict]):
    token = serializers.CharField()
