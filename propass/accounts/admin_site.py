"""The data administration at /backoffice/admin/: Django's admin behind the one login and the
staff's second factor (its own login form is never shown).

Django loads this module while it sets up the apps, before any model can be imported, so it
names the site by its path; the site itself is in `staff_admin`."""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default_site = "propass.accounts.staff_admin.StaffAdminSite"
