"""serverless.yml's CloudFormation short tags read as the JSON CloudFormation sees, and nothing unsafe."""

from __future__ import annotations

import pytest
import yaml
from tools import cfn_yaml

SHORT_TAGS = """
table: !Ref WalletTable
arn: !GetAtt WalletTable.StreamArn
arn_list: !GetAtt [WalletTable, Arn]
name: !Sub "${AWS::StackName}-wallet"
joined: !Join [":", [a, !Ref AWS::Region]]
"""


def test_short_tags_read_as_their_long_form() -> None:
    assert cfn_yaml.load(SHORT_TAGS) == {
        "table": {"Ref": "WalletTable"},
        "arn": {"Fn::GetAtt": ["WalletTable", "StreamArn"]},
        "arn_list": {"Fn::GetAtt": ["WalletTable", "Arn"]},
        "name": {"Fn::Sub": "${AWS::StackName}-wallet"},
        "joined": {"Fn::Join": [":", ["a", {"Ref": "AWS::Region"}]]},
    }


def test_python_object_tags_are_refused() -> None:
    with pytest.raises(yaml.constructor.ConstructorError):
        cfn_yaml.load("player: !!python/object/apply:os.system ['true']")
