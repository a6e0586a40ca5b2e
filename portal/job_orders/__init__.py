"""Job orders: written by hiring managers, qualified and released in tiers by staff, seen by suppliers."""
