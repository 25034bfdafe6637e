"""The pure claim core: sentences, claims (what the three governments say they did or will do).

``from watcher.claims import extract_claims, Claim, split_sentences``
"""

from __future__ import annotations

from .extract import Claim, extract_claims
from .sentences import fold, split_sentences

__all__ = ["Claim", "extract_claims", "fold", "split_sentences"]
