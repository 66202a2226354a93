"""The Rasa server's connections to the world (Rasa runtime).

The customer channels (`app_channel`, `telegram_channel`, registered in
assistant/credentials.yml), the event broker that streams every conversation event to the
platform (`platform_events`), Rasa's SQL tracker store made concurrent (`tracker_store`),
exactly-once answers to retried messages (`replay_guard`), and the Rasa runtime's one client
of the platform API (`platform_api`, which the actions use too). Imports `core` and
`assistant`, never the platform runtime.
"""
