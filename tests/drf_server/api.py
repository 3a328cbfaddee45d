"""The Avala API as Django REST Framework builds it: authentication, paging, filters, views.

Everything here is stock DRF and django-filter configured the way the API reference
describes, so that their answers (texts, body shapes, cursors, headers) are the
framework's own rather than a reimplementation's.
"""

from __future__ import annotations

from typing import Any

import django_filters
from rest_framework import generics, pagination, permissions, serializers, viewsets

from tests.drf_server.models import Project, Task


class RateLimitHeaders:
    """Adds the throttle's X-RateLimit-* figures to every answer that went through it."""

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        for name, value in getattr(request, "rate_limit_headers", {}).items():
            response[name] = value
        return response


class CreatedCursorPagination(pagination.CursorPagination):
    ordering = "-created_at"
    page_size = 100
    page_size_query_param = "limit"
    max_page_size = 1000


class TaskSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="uid", read_only=True)

    class Meta:
        model = Task
        fields = ("uid", "type", "name", "status", "project", "created_at", "updated_at")

    def to_representation(self, instance: Task) -> dict[str, Any]:
        fields: dict[str, Any] = super().to_representation(instance)
        fields.update(instance.extra or {})
        return fields


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ("uid", "name", "status", "created_at", "updated_at")


class TaskFilter(django_filters.FilterSet):
    # An unknown uid is a 400 "Select a valid choice..." from ModelChoiceFilter itself.
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.all(), to_field_name="uid")
    # A CharFilter: any status is accepted, and an unknown one matches nothing.
    status = django_filters.CharFilter()

    class Meta:
        model = Task
        fields = ("project", "status")


class TaskPermission(permissions.BasePermission):
    def has_object_permission(self, request: Any, view: Any, obj: Task) -> bool:
        return obj.restricted_to_id is None or obj.restricted_to_id == request.user.pk


class TaskViewSet(RateLimitHeaders, viewsets.ReadOnlyModelViewSet):
    serializer_class = TaskSerializer
    pagination_class = CreatedCursorPagination
    filterset_class = TaskFilter
    permission_classes = (permissions.IsAuthenticated, TaskPermission)
    lookup_field = "uid"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> Any:
        # Another user's task is outside the queryset: a 404, not a 403.
        return Task.objects.filter(project__owner=self.request.user).select_related("project")


class MyProjects(RateLimitHeaders, generics.ListAPIView):
    serializer_class = ProjectSerializer
    pagination_class = CreatedCursorPagination

    def get_queryset(self) -> Any:
        return Project.objects.filter(owner=self.request.user)


class MyProject(RateLimitHeaders, generics.RetrieveAPIView):
    serializer_class = ProjectSerializer
    lookup_field = "uid"

    def get_queryset(self) -> Any:
        return Project.objects.filter(owner=self.request.user)
