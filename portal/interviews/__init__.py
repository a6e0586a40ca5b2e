"""Interviews: proposed times, the confirmed one, feedback, and the .ics invitation."""
