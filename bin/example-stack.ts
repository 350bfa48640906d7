/**
 * The example a data engineer would recognise: a PostgreSQL connection whose credentials live
 * in Secrets Manager (SECRET_ID), in a private subnet with an S3 gateway endpoint and the
 * self-referencing security group rule Glue needs, the connection test, and an ETL job that
 * is created only after the test passes.
 */
import { Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { GlueConnectionTest, GlueConnectionTestMonitor } from '../lib';

export interface ExampleStackProps extends StackProps {
  /** The database host, as the connection's JDBC URL names it. */
  readonly databaseHost?: string;
  /** The database port. */
  readonly databasePort?: number;
  /** Re-test the connection on a schedule after the deployment (the demo and the monitor's simulation). */
  readonly monitor?: GlueConnectionTestMonitor;
}

export class ExampleStack extends Stack {
  public readonly connectionTest: GlueConnectionTest;

  constructor(scope: Construct, id: string, props: ExampleStackProps = {}) {
    super(scope, id, props);
    const host = props.databaseHost ?? 'orders-db.cluster-abc.eu-west-1.rds.amazonaws.com';
    const port = props.databasePort ?? 5432;

    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 1,
      natGateways: 0,
      subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
      flowLogs: { all: { trafficType: ec2.FlowLogTrafficType.REJECT } },
    });
    const glueGroup = new ec2.SecurityGroup(this, 'GlueConnectionGroup', {
      vpc,
      description: 'Glue connection ENIs: Glue needs all TCP ports open to the group itself',
    });
    glueGroup.addIngressRule(glueGroup, ec2.Port.allTcp(), 'Glue workers talk to each other');

    const credentials = new secretsmanager.Secret(this, 'OrdersDbCredentials', {
      description: 'orders-db login for Glue',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: 'orders_app' }),
        generateStringKey: 'password',
        excludePunctuation: true,
      },
    });

    const subnet = vpc.isolatedSubnets[0];
    const connection = new glue.CfnConnection(this, 'OrdersDb', {
      catalogId: this.account,
      connectionInput: {
        name: 'orders-db',
        connectionType: 'JDBC',
        connectionProperties: {
          JDBC_CONNECTION_URL: `jdbc:postgresql://${host}:${port}/orders`,
          SECRET_ID: credentials.secretName,
        },
        physicalConnectionRequirements: {
          subnetId: subnet.subnetId,
          availabilityZone: subnet.availabilityZone,
          securityGroupIdList: [glueGroup.securityGroupId],
        },
      },
    });

    this.connectionTest = new GlueConnectionTest(this, 'OrdersDbTest', { connection, monitor: props.monitor });

    const jobRole = new iam.Role(this, 'EtlJobRole', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    credentials.grantRead(jobRole);
    const logKey = new kms.Key(this, 'EtlLogKey', { enableKeyRotation: true, description: 'Encrypts the orders ETL job logs and bookmarks' });
    logKey.grant(new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`), 'kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey');
    const securityConfiguration = new glue.CfnSecurityConfiguration(this, 'EtlSecurity', {
      name: 'orders-etl-security',
      encryptionConfiguration: {
        cloudWatchEncryption: { cloudWatchEncryptionMode: 'SSE-KMS', kmsKeyArn: logKey.keyArn },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'CSE-KMS', kmsKeyArn: logKey.keyArn },
        s3Encryptions: [{ s3EncryptionMode: 'SSE-S3' }],
      },
    });
    logKey.grant(jobRole, 'kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey');
    const job = new glue.CfnJob(this, 'OrdersEtl', {
      securityConfiguration: securityConfiguration.name,
      name: 'orders-etl',
      role: jobRole.roleArn,
      glueVersion: '5.0',
      command: { name: 'glueetl', pythonVersion: '3', scriptLocation: 's3://example-bucket/scripts/orders_etl.py' },
      connections: { connections: [connection.ref] },
      workerType: 'G.1X',
      numberOfWorkers: 2,
    });
    this.connectionTest.gate(job);
  }
}
