"""The agent console (platform runtime): what agents, supervisors and designers use.

Sign-in and roles (`auth`, `guards`), the pages (`console`, templates, `web/` scripts), the
queue and claiming (`work_queue`, `api_queue`), a conversation with its history and live
socket (`api_conversations`, `history`, `console_socket`, `lifecycle`), the copilot with the
customer 360, offers and suggested replies in the assistant's words (`api_copilot`,
`customer360`, `suggestions`, `responses`), the supervisors' dashboard, and the designers'
review and exports (`api_review`, `training_data`, `conversation_export`). Every look at
customer data is audited (`audit`). Builds on `conversations`, `crm` and `core`.
"""
