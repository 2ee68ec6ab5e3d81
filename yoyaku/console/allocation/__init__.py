"""The console's allocation area (docs/allocation.md): the rounds, the preview (a dry run, figures first) and
publishing (city admins, with a reason and the preview's seed), and the call centre registering a caller's
wishes; each resident's state in a round shows on the resident's page (templatetags/console_allocation.py)."""
