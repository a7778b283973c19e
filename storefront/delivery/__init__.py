"""Digital delivery: signed, expiring, counted download links."""
