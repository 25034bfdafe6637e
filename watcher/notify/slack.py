"""Slack incoming webhooks: the Block Kit JSON from ``alerts/slack.json.j2``, POSTed like a webhook.

Slack answers 200 ``ok``; 429 with ``Retry-After`` when rate limited (honoured); 4xx with
a reason (``invalid_payload``, ``no_service``, ``channel_is_archived``) is failed at once.
The webhook URL is a secret: it only ever comes from ``webhook_url_env``.
"""

from __future__ import annotations

from .webhook import HttpSender


class SlackSender(HttpSender):
    """The same transport and outcome rules as :class:`~watcher.notify.webhook.HttpSender`."""
