"""The one logger; its service name comes from POWERTOOLS_SERVICE_NAME (template Globals)."""

from aws_lambda_powertools import Logger

logger = Logger()
