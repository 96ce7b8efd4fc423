"""The shared vocabulary of ningxia_gis: errors, verdicts, statuses, user-facing messages.

Imported by every other package; imports nothing of ours (no I/O, no Qt)."""
