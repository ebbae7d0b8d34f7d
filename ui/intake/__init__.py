"""The intake page: applicant, item, intake questions, checklist, decision."""
