"""The embedded local stack: AWS emulator, resources from template.yaml, API gateway, simulators, CLI glue."""
