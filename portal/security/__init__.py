"""Who is asking (actor), what they may do (permissions), and loaders that check both."""
