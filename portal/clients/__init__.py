"""Client accounts: the staff CRM page of each client company, its account log and follow-ups."""
