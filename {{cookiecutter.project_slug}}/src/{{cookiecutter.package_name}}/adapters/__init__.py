"""Adapters: the ports implemented in memory (tests, local runs) and on the chosen cloud."""
