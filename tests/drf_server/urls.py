"""The API's routes under /api/v1/, as a DRF router names them."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from tests.drf_server.api import MyProject, MyProjects, TaskViewSet

router = SimpleRouter()
router.register("tasks", TaskViewSet, basename="task")

urlpatterns = [
    path("api/v1/", include(router.urls)),
    path("api/v1/users/me/projects/", MyProjects.as_view()),
    path("api/v1/users/me/projects/<str:uid>/", MyProject.as_view()),
]
