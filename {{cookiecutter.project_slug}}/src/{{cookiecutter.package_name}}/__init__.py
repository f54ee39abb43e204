"""{{ cookiecutter.project_name | replace('"', "'") | replace('\\', '/') }}: serverless casino backend."""
