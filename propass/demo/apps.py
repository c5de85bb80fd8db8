from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "propass.demo"
    label = "demo"
