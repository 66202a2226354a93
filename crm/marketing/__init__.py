"""Precision marketing: consent and contact policy, campaigns, event-triggered outreach."""
