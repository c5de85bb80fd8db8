from rest_framework import serializers

from propass.accounts.models import Business, User


class BusinessSerializer(serializers.ModelSerializer[Business]):
    country = serializers.CharField(source="country.code")

    class Meta:
        model = Business
        fields = ["id", "name", "country", "currency", "points_balance", "invited_at", "legacy_email"]


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
        # The program membership (tier, number, term) arrives with the memberships capability.
        return None


class TokenRequestSerializer(serializers.Serializer[dict]):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer[dict]):
    token = serializers.CharField()
