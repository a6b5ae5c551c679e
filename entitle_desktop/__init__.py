"""Entitle Desktop: an offline workbench for support-entitlement setups."""

__version__ = "0.1.0"
