"""Judging's rules, by subject: the judges (``people``), conflicts of interest
(``conflicts``), assignments (``assigning``, over the pure ``judging.assignment``), marking
(``marking``), progress and reminders (``progress``), the rubric editor (``rubric``) and the
public gallery (``gallery``)."""
