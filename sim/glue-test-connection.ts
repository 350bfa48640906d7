/**
 * What the local Glue does for `TestConnection`: it really tests. It resolves the connection's
 * credentials (Secrets Manager, from moto), checks the VPC plumbing Glue requires (from moto's
 * EC2 state), opens a TCP connection to the database and logs in to it with the `pg` client.
 *
 * Modelled on Glue's documented behaviour:
 * - the request takes a stored connection (by name) or a TestConnectionInput, never both;
 *   a missing connection is an EntityNotFoundException;
 * - credentials come from SECRET_ID / AuthenticationConfiguration.SecretArn (a JSON secret with
 *   `username` and `password`), BasicAuthenticationCredentials, or USERNAME / PASSWORD;
 * - a connection with a subnet needs at least one of its security groups to open all TCP
 *   ports to inbound traffic, and one to open all egress ports (Glue's own wordings of both
 *   errors, "Troubleshooting Glue common setup errors"), and the subnet's route table needs an
 *   S3 gateway endpoint or a NAT gateway route (Glue's wording again);
 * - TestConnectionInput carries no PhysicalConnectionRequirements, so a test by input
 *   checks no VPC plumbing;
 * - failures are InvalidInputException (HTTP 400) with the driver's own message.
 *
 * Assumptions (Glue does not document them):
 * - the order of the checks (input, credentials, subnet, security groups, route, TCP, login)
 *   and that the first failing check is the one reported;
 * - the wording of the messages not quoted above: a missing subnet or security group is EC2's
 *   own wording (InvalidSubnetID.NotFound, InvalidGroup.NotFound); the network failures are
 *   those of the PostgreSQL JDBC driver Glue runs (pgjdbc, ConnectionFactoryImpl: "Connection
 *   to {0} refused. Check that the hostname and port are correct and that the postmaster is
 *   accepting TCP/IP connections.", and "The connection attempt failed." with the JDK's
 *   java.net.SocketTimeoutException "connect timed out" or java.net.UnknownHostException as its
 *   cause); the login failures are PostgreSQL's own server messages (`FATAL: ...`), as the real
 *   database sends them; secret errors are the simulation's own;
 * - an all-TCP rule from 0.0.0.0/0 satisfies the security group check as well as a
 *   self-referencing one ("the source ... can be restricted to the same security group");
 * - a connection with a subnet and no AvailabilityZone fails with "Unable to resolve any valid
 *   connection" before the VPC checks: the API reference documents the field as required
 *   ("Currently the field must be populated", PhysicalConnectionRequirements), and public reports
 *   of the missing field quote that wording (core/failure-catalogue.ts, no-valid-connection);
 * - the connection's Status (READY, FAILED...) does not affect TestConnection.
 *
 * Only PostgreSQL is implemented (ConnectionType JDBC with a `jdbc:postgresql:` URL, or
 * POSTGRESQL with HOST / PORT / DATABASE); other engines get an InvalidInputException saying
 * they are unsupported in the local simulation. No message ever contains a password.
 */
import type { AuthenticationConfigurationInput, PhysicalConnectionRequirements } from '@aws-sdk/client-glue';
import * as net from 'net';
import { Client, DatabaseError } from 'pg';
import { childText, Ec2Client, filters, items, XmlElement } from './ec2';

/** A Glue error as the JSON 1.1 protocol carries it: `__type`, `message`, HTTP status. */
export class GlueError extends Error {
  constructor(public readonly type: string, message: string, public readonly status = 400) {
    super(message);
    this.name = type;
  }
}

const invalidInput = (message: string) => new GlueError('InvalidInputException', message);

/** The connection definition under test, from the store or from TestConnectionInput. */
export interface ConnectionUnderTest {
  readonly connectionType: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly authentication?: AuthenticationConfigurationInput;
  readonly physical?: PhysicalConnectionRequirements;
}

export interface TestEnvironment {
  readonly region: string;
  /** EC2 of the local AWS (moto), for the VPC checks. */
  readonly ec2: Ec2Client;
  /** The SecretString of a Secrets Manager secret (moto); throws the service's error. */
  readonly secretString: (secretId: string) => Promise<string>;
  /** Bound on the TCP connect and on the login, each. */
  readonly connectTimeoutMs: number;
}

interface Database {
  readonly host: string;
  readonly port: number;
  readonly database: string;
}

interface Credentials {
  readonly user: string;
  readonly password: string;
}

/** Resolves when the connection works; otherwise throws a GlueError. */
export async function testConnection(connection: ConnectionUnderTest, env: TestEnvironment): Promise<void> {
  const database = databaseOf(connection);
  const credentials = await credentialsOf(connection, env);
  if (connection.physical?.SubnetId && !connection.physical.AvailabilityZone) throw invalidInput('Unable to resolve any valid connection');
  if (connection.physical?.SubnetId) await checkVpc(connection.physical.SubnetId, connection.physical.SecurityGroupIdList ?? [], env);
  await probeTcp(database, env.connectTimeoutMs);
  await logIn(database, credentials, env.connectTimeoutMs);
}

const POSTGRES_JDBC_URL = /^jdbc:postgresql:\/\/(\[[^\]]+\]|[^/:?;]+)(?::(\d+))?\/([^?;]*)/;

function databaseOf({ connectionType, properties }: ConnectionUnderTest): Database {
  const url = properties.JDBC_CONNECTION_URL;
  if (url !== undefined) {
    const engine = /^jdbc:([a-z0-9]+):/i.exec(url)?.[1];
    if (engine === undefined) throw invalidInput(`Invalid JDBC_CONNECTION_URL: ${url}`);
    if (engine.toLowerCase() !== 'postgresql') throw invalidInput(`JDBC engine "${engine}" is unsupported in the local simulation (only postgresql)`);
    const m = POSTGRES_JDBC_URL.exec(url);
    if (!m) throw invalidInput(`Invalid JDBC_CONNECTION_URL: ${url}`);
    return { host: m[1].replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : 5432, database: m[3] };
  }
  if (connectionType === 'JDBC') throw invalidInput('JDBC_CONNECTION_URL is required for a JDBC connection');
  if (connectionType !== 'POSTGRESQL') throw invalidInput(`ConnectionType ${connectionType} is unsupported in the local simulation (only JDBC to postgresql and POSTGRESQL)`);
  if (!properties.HOST) throw invalidInput('HOST is required for a POSTGRESQL connection');
  return { host: properties.HOST, port: properties.PORT ? Number(properties.PORT) : 5432, database: properties.DATABASE ?? 'postgres' };
}

async function credentialsOf({ properties, authentication }: ConnectionUnderTest, env: TestEnvironment): Promise<Credentials> {
  const secretId = authentication?.SecretArn ?? properties.SECRET_ID;
  if (secretId !== undefined) return credentialsFromSecret(secretId, env);
  const basic = authentication?.BasicAuthenticationCredentials;
  if (basic?.Username !== undefined && basic.Password !== undefined) return { user: basic.Username, password: basic.Password };
  if (properties.USERNAME !== undefined && properties.PASSWORD !== undefined) return { user: properties.USERNAME, password: properties.PASSWORD };
  throw invalidInput('No credentials: set SECRET_ID, AuthenticationConfiguration (SecretArn or BasicAuthenticationCredentials), or USERNAME and PASSWORD');
}

async function credentialsFromSecret(secretId: string, env: TestEnvironment): Promise<Credentials> {
  let secretString: string;
  try {
    secretString = await env.secretString(secretId);
  } catch (e) {
    const error = e as Error;
    throw invalidInput(`Unable to retrieve secret ${secretId}: ${error.name}: ${error.message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    parsed = undefined;
  }
  const { username, password } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof username !== 'string' || typeof password !== 'string') {
    throw invalidInput(`Secret ${secretId} must be a JSON object with string keys "username" and "password"`);
  }
  return { user: username, password };
}

async function checkVpc(subnetId: string, securityGroupIds: readonly string[], env: TestEnvironment): Promise<void> {
  const subnet = items(await env.ec2.call('DescribeSubnets', filters({ 'subnet-id': subnetId })), 'subnetSet')[0];
  if (!subnet) throw invalidInput(`The subnet ID '${subnetId}' does not exist`);
  const vpcId = childText(subnet, 'vpcId') ?? '';

  const groups = items(await env.ec2.call('DescribeSecurityGroups', filters({ 'vpc-id': vpcId })), 'securityGroupInfo');
  const byId = new Map(groups.map((g) => [childText(g, 'groupId') ?? '', g]));
  const missing = securityGroupIds.find((id) => !byId.has(id));
  if (missing !== undefined) throw invalidInput(`The security group '${missing}' does not exist in VPC '${vpcId}'`);
  if (!securityGroupIds.some((id) => opensAllTcpPorts(byId.get(id) as XmlElement, id, 'ipPermissions'))) {
    throw invalidInput('At least one security group must open all ingress ports. To limit traffic, the source security group in your inbound rule '
      + `can be restricted to the same security group. Security groups checked: ${securityGroupIds.join(', ') || 'none'}.`);
  }
  if (!securityGroupIds.some((id) => opensAllTcpPorts(byId.get(id) as XmlElement, id, 'ipPermissionsEgress'))) {
    throw invalidInput('At least one security group must open all egress ports. To limit traffic, the source security group in your outbound rule '
      + `can be restricted to the same security group. Security groups checked: ${securityGroupIds.join(', ') || 'none'}.`);
  }

  const routeTables = items(await env.ec2.call('DescribeRouteTables', filters({ 'vpc-id': vpcId })), 'routeTableSet');
  const associations = (table: XmlElement) => items(table, 'associationSet');
  const routeTable = routeTables.find((t) => associations(t).some((a) => childText(a, 'subnetId') === subnetId))
    ?? routeTables.find((t) => associations(t).some((a) => childText(a, 'main') === 'true'));
  const routeTableId = childText(routeTable, 'routeTableId');
  const endpoints = items(await env.ec2.call('DescribeVpcEndpoints', filters({ 'vpc-id': vpcId })), 'vpcEndpointSet');
  // Only an available endpoint routes: DescribeVpcEndpoints still lists a deleted one (State "deleted") for a while.
  const hasS3Endpoint = endpoints.some((e) => childText(e, 'vpcEndpointType') === 'Gateway' && childText(e, 'state') === 'available'
    && childText(e, 'serviceName') === `com.amazonaws.${env.region}.s3`
    && items(e, 'routeTableIdSet').some((r) => r.text.trim() === routeTableId));
  const hasNatRoute = items(routeTable, 'routeSet').some((r) => childText(r, 'destinationCidrBlock') === '0.0.0.0/0'
    && (childText(r, 'natGatewayId') ?? '').startsWith('nat-'));
  if (!hasS3Endpoint && !hasNatRoute) {
    throw invalidInput(`VPC S3 endpoint validation failed for SubnetId: ${subnetId}. VPC: ${vpcId}. `
      + `Reason: Could not find S3 endpoint or NAT gateway for subnetId: ${subnetId} in Vpc ${vpcId}`);
  }
}

/** Whether an inbound (or outbound) rule opens all TCP ports to the group itself or to anywhere. */
function opensAllTcpPorts(group: XmlElement, groupId: string, direction: 'ipPermissions' | 'ipPermissionsEgress'): boolean {
  return items(group, direction).some((rule) => {
    const protocol = childText(rule, 'ipProtocol');
    const allPorts = protocol === '-1'
      || (protocol === 'tcp' && childText(rule, 'fromPort') === '0' && childText(rule, 'toPort') === '65535');
    const fromSelf = items(rule, 'groups').some((pair) => childText(pair, 'groupId') === groupId);
    const fromAnywhere = items(rule, 'ipRanges').some((range) => childText(range, 'cidrIp') === '0.0.0.0/0');
    return allPorts && (fromSelf || fromAnywhere);
  });
}

function probeTcp({ host, port }: Database, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(invalidInput('The connection attempt failed. java.net.SocketTimeoutException: connect timed out'));
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', (e: NodeJS.ErrnoException) => reject(invalidInput(networkMessage(e, host, port))));
  });
}

function networkMessage(error: NodeJS.ErrnoException, host: string, port: number): string {
  switch (error.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `The connection attempt failed. java.net.UnknownHostException: ${host}: Name or service not known`;
    case 'ECONNREFUSED':
      return `Connection to ${host}:${port} refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.`;
    case 'EHOSTUNREACH':
      return 'The connection attempt failed. java.net.NoRouteToHostException: No route to host';
    default:
      return `The connection attempt failed. java.net.SocketException: ${error.code ?? error.message}`;
  }
}

async function logIn(database: Database, credentials: Credentials, timeoutMs: number): Promise<void> {
  const client = new Client({ ...database, ...credentials, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
  } catch (e) {
    if (e instanceof DatabaseError) throw invalidInput(`${e.severity ?? 'FATAL'}: ${e.message}`);
    throw invalidInput(`The connection attempt failed. ${(e as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
