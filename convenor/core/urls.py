from django.urls import path

from convenor.core import views, views_audit, views_users

app_name = "core"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("health/", views.health, name="health"),
    path("audit/", views_audit.audit, name="audit"),
    path("users/", views_users.users, name="users"),
    path("users/new/", views_users.user_create, name="user-create"),
    path("users/<int:pk>/", views_users.user_detail, name="user-detail"),
    path("users/<int:pk>/roles/revoke/", views_users.user_revoke_role, name="user-revoke-role"),
    path("users/<int:pk>/deactivate/", views_users.user_deactivate, name="user-deactivate"),
    path("users/<int:pk>/reactivate/", views_users.user_reactivate, name="user-reactivate"),
]
