"""The datastore: a real, indexed table per tabular resource, queried through CKAN's actions."""
