"""The NGSI-LD context broker: entities, queries, subscriptions and history."""
