"""Transactional mail through an outbox table and a worker command."""
