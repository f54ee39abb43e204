"""The attack tests drive the same app as the API tests: in-memory adapters, HTTP API events.

On AWS, `aws_api` (tests/support/fixtures_aws_api.py) is the AWS app instead, on the moto server's tables:
for the attacks that need a real store between the requests (races, and checks made inside a DynamoDB
transaction).
"""

from tests.api.conftest import *  # noqa: F403 - the API tests' fixtures (app, services, wallet)
