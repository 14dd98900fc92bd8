"""One router per resource, all under /api."""
