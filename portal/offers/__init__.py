"""Offers to candidates, the suppliers' answers, and placements (which fill the job order)."""
