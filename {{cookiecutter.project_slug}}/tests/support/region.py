"""The region the tests' local servers and clients use: the stack's own, read from serverless.yml.

So a region change (make regenerate) rewrites serverless.yml and no test file.
"""

from __future__ import annotations

from tests.support.tables import SERVERLESS_YML
from tools import cfn_yaml

REGION: str = cfn_yaml.load_file(SERVERLESS_YML)["custom"]["region"]["name"]
