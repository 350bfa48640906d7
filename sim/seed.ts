/**
 * Seeds the local AWS with what CloudFormation would have created before a connection test
 * runs: the VPC pieces a Glue connection sits in, the Secrets Manager secret with its
 * credentials, and the Glue connection itself. Everything goes through the local AWS endpoint
 * with real SDK clients (EC2 through the small Query client in ec2.ts), so it shows in
 * `LocalAws.requests` like any deployment's calls.
 */
import { CreateConnectionCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'crypto';
import { child, childText, createEc2Client, XmlElement } from './ec2';
import { LocalAws } from './local-aws';

export interface NetworkOptions {
  /** Give the security group the self-referencing all-traffic inbound rule Glue needs. Default true. */
  readonly selfReferencingRule?: boolean;
  /** How the subnet's route table reaches S3. Default 'gateway-endpoint'. */
  readonly s3Route?: 'gateway-endpoint' | 'nat-gateway' | 'none';
  /**
   * The VPC's DNS hostnames attribute. Default true, as `ec2.Vpc` sets it (EC2's CreateVpc
   * leaves it false).
   */
  readonly dnsHostnames?: boolean;
}

export interface Network {
  readonly vpcId: string;
  readonly subnetId: string;
  readonly availabilityZone: string;
  readonly routeTableId: string;
  readonly securityGroupId: string;
}

/** A VPC with one subnet, its own route table and one security group, as options say. */
export async function createNetwork(aws: LocalAws, options: NetworkOptions = {}): Promise<Network> {
  const ec2 = createEc2Client({ endpoint: aws.endpoint, region: aws.region, credentials: aws.credentials });
  const id = (xml: XmlElement, element: string, field: string) => childText(child(xml, element), field) as string;
  const availabilityZone = `${aws.region}a`;
  const vpcId = id(await ec2.call('CreateVpc', { CidrBlock: '10.0.0.0/16' }), 'vpc', 'vpcId');
  if (options.dnsHostnames ?? true) await ec2.call('ModifyVpcAttribute', { VpcId: vpcId, 'EnableDnsHostnames.Value': 'true' });
  const subnetId = id(await ec2.call('CreateSubnet', { VpcId: vpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: availabilityZone }), 'subnet', 'subnetId');
  const routeTableId = id(await ec2.call('CreateRouteTable', { VpcId: vpcId }), 'routeTable', 'routeTableId');
  await ec2.call('AssociateRouteTable', { RouteTableId: routeTableId, SubnetId: subnetId });
  const securityGroupId = childText(await ec2.call('CreateSecurityGroup', {
    GroupName: `glue-connection-${randomUUID().slice(0, 8)}`, GroupDescription: 'Glue connection', VpcId: vpcId,
  }), 'groupId') as string;
  if (options.selfReferencingRule ?? true) {
    await ec2.call('AuthorizeSecurityGroupIngress', {
      GroupId: securityGroupId, 'IpPermissions.1.IpProtocol': '-1', 'IpPermissions.1.Groups.1.GroupId': securityGroupId,
    });
  }
  switch (options.s3Route ?? 'gateway-endpoint') {
    case 'gateway-endpoint':
      await ec2.call('CreateVpcEndpoint', {
        VpcId: vpcId, ServiceName: `com.amazonaws.${aws.region}.s3`, VpcEndpointType: 'Gateway', 'RouteTableId.1': routeTableId,
      });
      break;
    case 'nat-gateway': {
      const allocationId = childText(await ec2.call('AllocateAddress', { Domain: 'vpc' }), 'allocationId') as string;
      const natGatewayId = id(await ec2.call('CreateNatGateway', { SubnetId: subnetId, AllocationId: allocationId }), 'natGateway', 'natGatewayId');
      await ec2.call('CreateRoute', { RouteTableId: routeTableId, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: natGatewayId });
      break;
    }
    case 'none':
      break;
  }
  return { vpcId, subnetId, availabilityZone, routeTableId, securityGroupId };
}

/** A Secrets Manager secret `{"username": ..., "password": ...}`; resolves to its ARN. */
export async function createSecret(aws: LocalAws, name: string, credentials: { readonly username: string; readonly password: string }): Promise<string> {
  const client = new SecretsManagerClient(clientConfig(aws));
  try {
    const { ARN } = await client.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(credentials) }));
    return ARN as string;
  } finally {
    client.destroy();
  }
}

export interface ConnectionOptions {
  readonly name: string;
  /** `jdbc:postgresql://host:port/database`. */
  readonly jdbcUrl: string;
  /** SECRET_ID (a secret name or ARN), or USERNAME / PASSWORD in the connection's properties. */
  readonly credentials: { readonly secretId: string } | { readonly username: string; readonly password: string };
  /** PhysicalConnectionRequirements come from here; without it the connection has none. */
  readonly network?: Network;
  /** PhysicalConnectionRequirements.AvailabilityZone; the network's by default, none when null. */
  readonly availabilityZone?: string | null;
}

/** A JDBC Glue connection. */
export async function createConnection(aws: LocalAws, options: ConnectionOptions): Promise<void> {
  const client = new GlueClient(clientConfig(aws));
  const credentials = 'secretId' in options.credentials
    ? { SECRET_ID: options.credentials.secretId }
    : { USERNAME: options.credentials.username, PASSWORD: options.credentials.password };
  try {
    await client.send(new CreateConnectionCommand({
      ConnectionInput: {
        Name: options.name,
        ConnectionType: 'JDBC',
        ConnectionProperties: { JDBC_CONNECTION_URL: options.jdbcUrl, ...credentials },
        PhysicalConnectionRequirements: options.network && {
          SubnetId: options.network.subnetId,
          SecurityGroupIdList: [options.network.securityGroupId],
          AvailabilityZone: options.availabilityZone === null ? undefined : options.availabilityZone ?? options.network.availabilityZone,
        },
      },
    }));
  } finally {
    client.destroy();
  }
}

export interface DeploymentOptions {
  readonly connectionName: string;
  readonly jdbcUrl: string;
  readonly username: string;
  readonly password: string;
  /** 'secret' (default): a secret named `<connectionName>-credentials` and SECRET_ID; 'properties': USERNAME / PASSWORD. */
  readonly credentials?: 'secret' | 'properties';
  /** The VPC pieces; `false` for a connection without PhysicalConnectionRequirements. Default: a working network. */
  readonly network?: NetworkOptions | false;
}

export interface SeededDeployment {
  readonly connectionName: string;
  readonly secretArn?: string;
  readonly network?: Network;
}

/** Network, secret and connection, as a stack that defines all three would have created them. */
export async function seedDeployment(aws: LocalAws, options: DeploymentOptions): Promise<SeededDeployment> {
  const network = options.network === false ? undefined : await createNetwork(aws, options.network);
  const { username, password } = options;
  const secretArn = (options.credentials ?? 'secret') === 'secret'
    ? await createSecret(aws, `${options.connectionName}-credentials`, { username, password })
    : undefined;
  await createConnection(aws, {
    name: options.connectionName,
    jdbcUrl: options.jdbcUrl,
    credentials: secretArn ? { secretId: secretArn } : { username, password },
    network,
  });
  return { connectionName: options.connectionName, secretArn, network };
}

function clientConfig(aws: LocalAws) {
  return { endpoint: aws.endpoint, region: aws.region, credentials: aws.credentials };
}
