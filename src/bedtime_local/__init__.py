"""The local run: the real system on one machine, with moto as the AWS endpoint.

Everything that the cloud gets from template.yaml (tables, bus, pipe, rules,
function handlers and environment) is read from template.yaml here too.
"""
