from django.contrib.auth import views as auth_views
from django.urls import path

from propass.accounts import views, views_two_factor

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", views_two_factor.two_factor, name="two_factor"),
    path("accounts/two-factor/setup/", views_two_factor.two_factor_setup, name="two_factor_setup"),
    path("accounts/password-reset/", views.password_reset, name="password_reset"),
    path("accounts/password-reset/sent/", views.password_reset_sent, name="password_reset_sent"),
    path("accounts/set-password/<str:token>/", views.set_password, name="set_password"),
    path("account/", views.account, name="account"),
    path("account/users/<int:user_id>/remove/", views.team_remove, name="team_remove"),
    path("account/tokens/<str:token_id>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
]
