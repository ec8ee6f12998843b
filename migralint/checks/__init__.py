"""Helpers that the rules of one area share: questions several rules ask."""
