"""Lambda entry points of the workers: parse the event, call the domain, report what failed."""
