"""Escalation ladders: which levels are due for a ticket at an instant, and when the next one is."""
