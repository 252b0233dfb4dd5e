"""The SDK's public surface (`api.json`) and what changes to it mean for users: extract → diff → report."""
