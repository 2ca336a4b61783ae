"""The web service shell: app factory, middleware, error mapping and shared dependencies."""
