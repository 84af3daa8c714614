"""Lambda entry points: parse the event into our own types, call the domain, return."""
