"""Developer tooling (stdlib only): process orchestration for `make demo` and the tests."""
