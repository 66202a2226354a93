"""Analytical CRM: features, segments, risk appetite, events and churn risk."""
