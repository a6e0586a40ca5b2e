"""Comments on job orders and submissions, each shown only to the parties its visibility names."""
