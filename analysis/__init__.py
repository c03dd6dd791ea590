"""Figures and tables from results: functions return matplotlib Figures, never show them."""
