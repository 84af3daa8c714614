"""What a night is made of: the catalog, the Family and Story records and their stores, the
briefs passed to providers, and how a story is spoken. Imports only bedtime.core."""
