"""Rasa custom channels (registered in assistant/credentials.yml). Runs in the Rasa runtime."""
