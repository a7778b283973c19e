"""Gigs and tours: where the label's artists play, in the venue's own time. The city QR
quests, the fan's passport and the merch stand will build on them."""
