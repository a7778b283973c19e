"""The label's view of its fans: one page per person, known by their email, whether they
bought as guests, hold an account, a membership, a passport or a newsletter consent."""
