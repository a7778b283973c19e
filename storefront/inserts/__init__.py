"""Insert pools across editions and campaigns: a layer above both."""
