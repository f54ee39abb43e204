"""Test helpers: the local moto server and the tables built from serverless.yml."""
