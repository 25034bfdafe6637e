"""Commitments: what the three governments undertook, and how a document changes it (pure).

- ``registry``: the commitment registry (:class:`registry.Commitment`, :func:`registry.load_registry`)
- ``model``: the differ's values (documents, commitment states, changes)
- ``diff`` and ``diff_new``: claims against the registry -> changes (:func:`diff.diff_document`)
- ``overdue``: deadlines passed without progress

The claims themselves come from :mod:`watcher.claims`, which reads ``registry`` and ``model`` and is
read by ``diff``.
"""
