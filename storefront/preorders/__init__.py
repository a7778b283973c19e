"""Preorder campaigns: pressing goals, unlocks, first-N bonuses, rewards for backers."""
