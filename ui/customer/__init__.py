"""The customer-facing window for the applicant's screen (issue 9)."""
