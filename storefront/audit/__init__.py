"""One log of everything done in the admin: who, what, when, before and after."""
