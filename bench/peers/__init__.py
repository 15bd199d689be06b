"""Helpers that run peer tools (installed in their own virtual environments) on our inputs."""
