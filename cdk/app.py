"""The one CDK app: `cdklocal deploy --all` onto LocalStack, `cdk deploy --all` onto AWS.

Context (cdk.json defaults are the local ones; override with -c for AWS):
  stage          name suffix for every resource (local, dev, prod)
  local          "true" on LocalStack: local database settings, destroyable storage
  localEndpoint  LocalStack's gateway, used to publish a callable ApiUrl locally
  localDbHost    local only: PostgreSQL's host as the functions see it (default 127.0.0.1)
  localDbName    local only: the database name (default interview)
  localDbPort    local only: PostgreSQL's port (default 5432)
  dbSecretArn    AWS only, optional: import an existing PostgreSQL (its Secrets Manager secret,
                 RDS format); without it the Foundation provisions VPC, Aurora and RDS Proxy
  dbMinAcu       AWS own database: Aurora Serverless v2 minimum capacity (default 0.5)
  dbMaxAcu       AWS own database: maximum capacity (default 8)
  snapStart      AWS only: Lambda SnapStart for the API's functions (default true)
  nag            "true": run cdk-nag's AwsSolutions pack during the synth
  frontendOrigin the one browser origin allowed by CORS
"""

from __future__ import annotations

import aws_cdk as cdk
from interview_platform.config import StackConfig
from interview_platform.stacks import build

app = cdk.App()
config = StackConfig.from_context(app.node)
build(app, config, env=cdk.Environment(account=config.account, region=config.region))
app.synth()
