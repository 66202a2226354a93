"""Conversations across channels (platform runtime): one per customer, whatever the channel.

The conversation record and its requests for a person (`models`), every status change
(`status`), Rasa's event stream in and deliveries out (`events`), the handoff API for the
assistant (`handoffs`), live fan-out between processes and its typed events (`live`,
`live_events`), the platform's one client of Rasa's HTTP API (`rasa_client`), handoffs
nobody claimed in time (`timeouts`), the lines of a conversation as people read them
(`transcript`) and messages kept for the designers' review (`review_capture`). Both the
agent console and the customer chat page build on it; it imports `crm` and `core` only.
"""
