"""The offer engine: eligibility, contact policy, propensity and next-best-offer ranking."""
