"""complaint-triage: severity triage for complaint tickets and a tone checker for agents' replies."""

__version__ = "0.1.0"
