"""Stories: the articles of several outlets that report one event, grouped as they arrive."""
