"""The Rasa project (domain, stories, rules, channel credentials), its NLU components, its
settings and its launcher (`python -m assistant.serve`).

Runs in the Rasa runtime (`.venvs/rasa`); imports nothing from the platform runtime.
"""
