"""Test helpers: the chosen cloud's fixtures (fixtures_<provider>*.py, loaded by tests/conftest.py) and
what they use (AWS: the local moto server and the tables built from serverless.yml)."""
