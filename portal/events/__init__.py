"""The event log: immutable records of what happened, the audit trail and the feed's source."""
