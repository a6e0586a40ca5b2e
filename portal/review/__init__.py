"""The hiring manager's review: the board per job order, the review queue, the candidate's page and its decisions."""
