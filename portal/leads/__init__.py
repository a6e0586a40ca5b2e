"""Growing accounts: the public talent request, the lead queue, opportunities and the sales board."""
