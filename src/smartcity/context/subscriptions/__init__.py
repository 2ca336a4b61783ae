"""NGSI-LD subscriptions and the notifications they send.

Importing the package registers the entity-change listener (outbox.py) that records what each
write owes its subscribers, in the writer's transaction.
"""

from smartcity.context.subscriptions import outbox as outbox
