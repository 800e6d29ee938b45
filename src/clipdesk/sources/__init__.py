"""Sources: where coverage comes from, and the fetcher that reads them off a hostile network."""
