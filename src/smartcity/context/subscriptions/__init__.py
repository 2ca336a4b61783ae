"""NGSI-LD subscriptions and the notifications they send."""
