"""Fixtures for the parser tests."""

from tests.dtdserver import loopback

__all__ = ["loopback"]
