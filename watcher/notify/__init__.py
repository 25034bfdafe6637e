"""Notify: deliver the alert outbox (``watcher.store.alerts``) through the configured channels.

- ``worker``: the notifier (:class:`worker.Notifier`): claims due rows, sends, records the outcome,
  backs off, makes digests
- ``render``: a change (or a digest) as a message, from the Jinja2 templates in ``alerts/``
- ``email``, ``slack``, ``webhook``, ``apprise_sender``: one :class:`base.Sender` per channel type
- ``base``: what a sender returns (:class:`base.Delivery`), secrets read at send time, redaction
"""
