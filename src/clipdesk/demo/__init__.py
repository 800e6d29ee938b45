"""Sample content of a fictional organisation, imported by `clipdesk demo`."""
