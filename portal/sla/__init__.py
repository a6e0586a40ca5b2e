"""SLA clocks: per-client targets, clocks computed from the events, and their announced crossings."""
