"""The interviews context: templates, questions, invitations, the candidate's flow, HR review."""
