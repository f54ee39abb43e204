"""The project's audit: every security default as a named control, checked and reported.

    python -m tools.audit [--live] [--stage dev] [--template PATH] [--json PATH] [--markdown PATH]

Static mode reads the packaged CloudFormation (make package) and runs cfn-lint, checkov and the
project's own checks; --live reads the deployed stack with boto3 and reports drift from the packaged
defaults. The controls are listed in catalogue.py; docs/audit.md says how to read the report.
"""
