"""The NGSI-LD temporal API: attribute history, its queries and aggregations."""
