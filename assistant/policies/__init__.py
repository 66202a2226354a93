"""Dialogue policies: Rasa's own, with their answers remembered per dialogue state."""
