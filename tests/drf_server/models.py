"""The Avala objects as a Django app stores them: projects, tasks and API keys."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Project(models.Model):
    uid = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=32)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()

    class Meta:
        app_label = "drf_server"


class Task(models.Model):
    # CharField: the reference's uids are not hex UUIDs ("990c1800-i62f-...").
    uid = models.CharField(max_length=64, unique=True)
    type = models.CharField(max_length=64, null=True)
    name = models.CharField(max_length=10_000, null=True)
    status = models.CharField(max_length=32, null=True)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(null=True)
    #: Fields the reference does not document, rendered next to the documented ones.
    extra = models.JSONField(null=True)
    #: When set to another user, the project's owner sees the task listed but gets a 403.
    restricted_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        app_label = "drf_server"


class ApiKey(models.Model):
    key = models.CharField(max_length=128, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    expired = models.BooleanField(default=False)
    #: A DRF throttle rate ("3/min") for this key's user; empty for the default.
    rate = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        app_label = "drf_server"
