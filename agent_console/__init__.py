"""The platform web process: agent console, customer API and the customer chat page."""
