"""Ingestion shared by every transport: parse device payloads, map them onto Smart Data Model
entities, store them once each in the context broker, and keep what cannot be stored as dead
letters."""
