"""The customer-facing chat page (platform runtime): the in-app widget, standalone for the demo.

`/chat` and its static files, the conversation's history (`/chat/history`) and its live
socket (`/chat/ws`), authenticated by the same app-signed token the in-app channel checks;
and, only with DEMO_MODE, the demo's stand-in for the app's login (`demo`). Builds on
`conversations` (history, live deliveries); never on the console.
"""
