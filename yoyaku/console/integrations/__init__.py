"""The console's integrations area (city admins): API tokens for the city's systems, created (the secret shown
once) and revoked, each act audited (booking/services/integrations.py)."""
