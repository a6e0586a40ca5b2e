"""Staff administration: client and supplier organisations, their people, the event log."""
