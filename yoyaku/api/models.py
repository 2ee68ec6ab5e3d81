"""The API's own bookkeeping: the answer given to each idempotency key, so a retried POST gets the same answer.

Booking already de-duplicates by its request key (services.reservation_book); this table covers every POST,
booking included, so that a retry also gets the same status code and body."""

from django.db import models
from django.utils import timezone


class IdempotentResponse(models.Model):
    token = models.ForeignKey("booking.ApiToken", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    # What the key was first used for: the same key on another endpoint or with another body is refused.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="api_idempotency_token_key")]

    def __str__(self):
        return f"{self.token_id}:{self.key}"
