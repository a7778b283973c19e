"""The newsletter: subscribers who confirmed by email (double opt-in), the label's
mailings to segments of them, sent a few per minute through the outbox."""
