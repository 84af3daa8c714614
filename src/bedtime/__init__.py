"""Bedtime Stories: an illustrated, narrated story every night."""
