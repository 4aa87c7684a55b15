"""The static sheets of a run's workbook, a module each (the live model's are
:mod:`finmodel.reports.live`)."""
