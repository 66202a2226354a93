"""What both runtimes share, and nothing else crosses between them.

The Rasa runtime (`assistant`, `connectors`, `actions`; Rasa's old pins) and the platform
runtime (`crm`, `conversations`, `webchat`, `agent_console`, `server`; FastAPI, pydantic 2,
SQLAlchemy 2) run in separate environments and talk over HTTP. Both import this package:
logging with personal data masked (`logs`, `pii`), the in-app token (`app_token`), who a
conversation belongs to (`senders`), the shared vocabulary (`vocabulary`), configuration
(`config`), card state changes (`card_states`) and the pure wording functions that turn
data into a response name and its values (`wording`). Stdlib plus PyJWT and spaCy, which
both environments have; the import contracts in pyproject.toml keep it that way.
"""
