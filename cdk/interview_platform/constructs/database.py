"""The system of record in AWS, when no existing database is imported (``-c dbSecretArn``).

- A VPC over two availability zones: public subnets (one NAT gateway), private subnets with a
  route out for the functions (those that call Groq need the internet anyway, so one NAT gateway
  is cheaper than interface endpoints for Secrets Manager, EventBridge, SQS and Step Functions:
  about $33 a month against about $58 for four endpoints in two zones), and isolated subnets for
  the database. S3 traffic (media, up to gigabytes a day) goes through a free gateway endpoint,
  not through the NAT gateway. VPC flow logs go to CloudWatch Logs.
- Aurora PostgreSQL Serverless v2: capacity follows load in half-ACU steps without resizing
  instances (our load is bursty: invitations go out in waves, analyses run in parallel), from
  ``dbMinAcu`` (default 0.5) to ``dbMaxAcu`` (default 8). Storage encrypted, 7 days of backups,
  deletion protection, a snapshot when the stack is deleted, logs exported.
- RDS Proxy in front (TLS required): hundreds of Lambda instances share a small pool of database
  connections, and a failover does not break every warm function's connection.
- The master secret rotates every 30 days (single-user rotation; the proxy reads the secret, so
  functions never hold the password for longer than their pool's idle timeout).
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from constructs import Construct

DB_NAME = "interview"
DB_PORT = 5432
ROTATION_DAYS = 30
BACKUP_DAYS = 7


class Database(Construct):
    def __init__(
        self, scope: Construct, id: str, *, stage: str, min_acu: float, max_acu: float
    ) -> None:
        super().__init__(scope, id)
        flow_logs = logs.LogGroup(
            self,
            "FlowLogs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=2,
            nat_gateways=1,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC),
                ec2.SubnetConfiguration(
                    name="functions", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS
                ),
                ec2.SubnetConfiguration(
                    name="database", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED
                ),
            ],
            gateway_endpoints={
                "S3": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.S3)
            },
            flow_logs={
                "All": ec2.FlowLogOptions(
                    destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs)
                )
            },
        )
        self.function_subnets = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        self.function_security_group = ec2.SecurityGroup(
            self,
            "FunctionSecurityGroup",
            vpc=self.vpc,
            description="Functions that use PostgreSQL (through RDS Proxy)",
            allow_all_outbound=True,
        )
        self.cluster = rds.DatabaseCluster(
            self,
            "Cluster",
            engine=rds.DatabaseClusterEngine.aurora_postgres(
                version=rds.AuroraPostgresEngineVersion.VER_16_6
            ),
            credentials=rds.Credentials.from_generated_secret(
                "platform", secret_name=f"interview-platform/{stage}/database"
            ),
            default_database_name=DB_NAME,
            port=DB_PORT,
            writer=rds.ClusterInstance.serverless_v2("Writer"),
            serverless_v2_min_capacity=min_acu,
            serverless_v2_max_capacity=max_acu,
            vpc=self.vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            storage_encrypted=True,
            iam_authentication=True,
            backup=rds.BackupProps(retention=Duration.days(BACKUP_DAYS)),
            deletion_protection=True,
            removal_policy=RemovalPolicy.SNAPSHOT,
            cloudwatch_logs_exports=["postgresql"],
            cloudwatch_logs_retention=logs.RetentionDays.ONE_MONTH,
        )
        secret = self.cluster.secret
        if secret is None:
            raise RuntimeError("a cluster without its generated secret")
        self.secret = secret
        self.rotation = self.cluster.add_rotation_single_user(
            automatically_after=Duration.days(ROTATION_DAYS),
            vpc_subnets=self.function_subnets,
        )
        self.proxy = self.cluster.add_proxy(
            "Proxy",
            secrets=[secret],
            vpc=self.vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            require_tls=True,
            # Lambda connects, works a few milliseconds, and lets go: borrow for short.
            idle_client_timeout=Duration.minutes(30),
            max_connections_percent=90,
            debug_logging=False,
        )
        self.proxy.connections.allow_from(
            self.function_security_group,
            ec2.Port.tcp(DB_PORT),
            "Functions reach PostgreSQL through the proxy",
        )
        self.cluster.connections.allow_default_port_from(
            self.proxy, "The proxy reaches the cluster"
        )
        self.function_subnet_ids = self.vpc.select_subnets(
            subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS
        ).subnet_ids
