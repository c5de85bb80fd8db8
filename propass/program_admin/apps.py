from django.apps import AppConfig


class ProgramAdminConfig(AppConfig):
    name = "propass.program_admin"
    label = "program_admin"
