"""The merch stand at gigs: stock allocated to a night, sales made there (offline too),
reconciled after, and the night's summary."""
