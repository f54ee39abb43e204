"""The region the tests' local servers and clients use: the project's region, written in this one place."""

REGION = "{{ cookiecutter.region }}"
