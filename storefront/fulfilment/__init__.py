"""Getting paid orders to fans: pick lists, packing slips, parcels (whole or partial,
one by one or many at once), and returns."""
