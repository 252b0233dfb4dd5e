"""Build stage: turn loaded documents into the IR (all naming and typing decisions live here)."""
