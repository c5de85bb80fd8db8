from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "propass.privacy"
    label = "privacy"
