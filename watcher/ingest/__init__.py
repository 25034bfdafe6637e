"""Ingest: sources -> stored articles, claims and changes (the poll).

- ``poller``: :class:`poller.Poller` runs a pass: fetches on the event loop, CPU work in ``workers``
  (``jobs``: parse and filter a feed; ``build``: page text, claims -> Article), one write per batch
- ``decide`` and ``schedule``: what a poll does to its source's row, and when to poll next (pure)
- ``intake``: store articles and run claims and diff in one transaction (:class:`intake.Analyzer`)
- ``documents``: documents added by hand and the seed corpus; ``replay``: rebuild from stored articles
"""
