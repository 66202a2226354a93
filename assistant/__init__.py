"""The Rasa project (domain, stories, rules, channel credentials) and its launcher.

Runs in the Rasa runtime (`.venvs/rasa`); imports nothing from the platform runtime.
"""
