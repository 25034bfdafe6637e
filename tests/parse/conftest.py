"""Fixtures for the parser tests."""

from tests.support.dtdserver import loopback

__all__ = ["loopback"]
