"""The player-facing HTTP API: Flask behind API Gateway (HTTP API, payload 2.0) through serverless-wsgi."""
