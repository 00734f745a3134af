"""Judging's pages: organizers' (judges, assignment, rubric, dashboard), judges' and the
public gallery."""
