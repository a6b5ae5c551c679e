"""Entitle Desktop."""
