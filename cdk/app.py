"""The one CDK app: `cdklocal deploy` onto LocalStack, `cdk deploy` onto AWS.

Context (cdk.json defaults are the local ones; override with -c for AWS):
  stage          name suffix for every resource (local, dev, prod)
  local          "true" on LocalStack: local database settings, destroyable storage
  localEndpoint  LocalStack's gateway, used to publish a callable ApiUrl locally
  localDbHost    local only: PostgreSQL's host as the functions see it (default 127.0.0.1)
  localDbName    local only: the database name (default interview)
  dbSecretArn    AWS only: the Secrets Manager secret (RDS format) of the PostgreSQL database
  frontendOrigin the one browser origin allowed by CORS
"""

from __future__ import annotations

import aws_cdk as cdk
from interview_platform.config import StackConfig
from interview_platform.stack import PlatformStack

app = cdk.App()
config = StackConfig.from_context(app.node)
PlatformStack(
    app,
    config.stack_name,
    config=config,
    env=cdk.Environment(account=config.account, region=config.region),
)
app.synth()
