"""Limited editions: numbered copies in variants, provably fair draws, inserts and cards."""
