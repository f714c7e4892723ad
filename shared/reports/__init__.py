"""Reports: the PDF per candidate, CSV exports, and the hiring funnel."""
