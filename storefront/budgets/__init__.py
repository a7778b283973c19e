"""Release budgets run like a bankroll: lines planned and spent, a stop-loss that
freezes what is not essential, and an opportunity reserve whose every use is accounted for."""
