"""Identity and security: tenants, users, roles, API keys, tokens, the audit log and rate limits."""
