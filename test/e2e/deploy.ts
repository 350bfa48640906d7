/**
 * The deployment simulation, shared by the e2e suites and `npm run demo`: a small stand-in for
 * CloudFormation that deploys a synthesized CDK app to the local AWS of `test/sim/`.
 *
 * What it does, as CloudFormation would:
 * - reads the template that `app.synth()` wrote to cdk.out, and the assets manifest beside it;
 * - creates the resources in dependency order (DependsOn, Ref and Fn::GetAtt), resolving the
 *   intrinsics that appear in the resources it creates, and only those: Ref (resources and
 *   pseudo parameters), Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split and Fn::GetAZs. Any other
 *   intrinsic, resource type, property or update fails loudly, naming it: a template this
 *   simulation cannot deploy faithfully is an error, never a silent approximation;
 * - sends each `Custom::GlueConnectionTest` its Create, Update and Delete events through
 *   aws-cdk-lib's own Provider framework code (`createProviderFramework`), which runs the
 *   handler bundle from the asset in cdk.out (the zip `cdk deploy` would upload) with the
 *   template's Lambda timeout, and reads the answer from the presigned response endpoint;
 * - on a failed test, rolls back as CloudFormation does: a failed Create deletes what it made
 *   (the failed test gets the Delete CloudFormation sends, with the framework's CREATE_FAILED
 *   marker as physical id); a failed Update re-applies the previous template, so the test gets
 *   an Update while the stack is UPDATE_ROLLBACK_IN_PROGRESS.
 *
 * What it simulates:
 * - created in the local AWS: VPC, subnet, route table and association, VPC gateway endpoint,
 *   security group and ingress rule (moto's EC2), Secrets Manager secret (moto; a
 *   GenerateSecretString is generated here), Glue connection (the local Glue);
 * - not created (listed in NOT_SIMULATED with the reason): IAM, log groups, the two Lambda
 *   functions (the framework runner stands in for them), KMS, flow logs, and the Glue job and
 *   security configuration that a test gates.
 *
 * Assumptions (CloudFormation does not document them): an event's ResourceProperties carry
 * every property of the custom resource, ServiceToken and ServiceTimeout included, with scalars
 * as strings; a secret's generated name is `<LogicalId>-<12 random letters and digits>` (the
 * shape CDK's secretName parsing relies on). Simplifications: one resource at a time (no
 * parallel creation); EC2 resources are left in moto when a stack is deleted (moto forgets them
 * when it stops), Glue connections and secrets are deleted.
 */
import { CreateConnectionCommand, DeleteConnectionCommand, GlueClient, UpdateConnectionCommand } from '@aws-sdk/client-glue';
import {
  CreateSecretCommand, DeleteSecretCommand, GetSecretValueCommand, SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as glue from 'aws-cdk-lib/aws-glue';
import { randomInt, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ExampleStack, ExampleStackProps } from '../../bin/example-stack';
import { RESOURCE_TYPE } from '../../lib/contract';
import { child, childText, createEc2Client, Ec2Client, items, XmlElement } from '../sim/ec2';
import { LocalAws, ServedRequest, startLocalAws } from '../sim/local-aws';
import { Pg, startPostgres } from '../sim/postgres';
import { createProviderFramework, EventResult, ProviderFramework, RequestType } from '../sim/provider-framework';
import { ResponseEndpoint, startResponseEndpoint } from '../sim/response-endpoint';

// ---------------------------------------------------------------------------------------------
// The simulation's parts

/** The local AWS, the database behind the connection, and CloudFormation's response endpoint. */
export interface Simulation {
  readonly aws: LocalAws;
  readonly pg: Pg;
  readonly responses: ResponseEndpoint;
  /** Stops all three; safe to call twice. */
  stop(): Promise<void>;
}

/** Starts moto, PostgreSQL and the response endpoint; if one cannot start, stops the others. */
export async function startSimulation(): Promise<Simulation> {
  const started = await Promise.allSettled([startLocalAws(), startPostgres(), startResponseEndpoint()] as const);
  const [aws, pg, responses] = started;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.allSettled(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
  };
  if (aws.status === 'rejected' || pg.status === 'rejected' || responses.status === 'rejected') {
    await stop();
    const reasons = started.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => (s.reason as Error).message);
    throw new SimulationUnavailable(reasons.join('\n'));
  }
  return { aws: aws.value, pg: pg.value, responses: responses.value, stop };
}

/** The simulation could not start, usually for a missing tool; the fixtures' messages say what and how to get it. */
export class SimulationUnavailable extends Error {
  public readonly name = 'SimulationUnavailable';
}

// ---------------------------------------------------------------------------------------------
// Synthesis

/** The parts of a CloudFormation template the simulation reads. */
export interface CfnTemplate {
  readonly Resources: Record<string, TemplateResource>;
  readonly Conditions?: Record<string, unknown>;
}

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly Condition?: string;
}

/** A synthesized stack: its cdk.out directory and template. */
export interface SynthesizedStack {
  readonly outdir: string;
  readonly stackName: string;
  readonly template: CfnTemplate;
  /** Removes the cdk.out directory. */
  remove(): void;
}

/**
 * Synthesizes an app into a fresh temporary cdk.out, as `cdk synth` would, and reads back the
 * one stack `build` adds.
 */
export function synthesize(build: (app: App) => Stack, outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'glue-sim-cdk.out-'))): SynthesizedStack {
  const remove = () => fs.rmSync(outdir, { recursive: true, force: true });
  try {
    const app = new App({ outdir });
    const stack = build(app);
    const artifact = app.synth().getStackByName(stack.stackName);
    return { outdir, stackName: stack.stackName, template: JSON.parse(fs.readFileSync(artifact.templateFullPath, 'utf8')) as CfnTemplate, remove };
  } catch (e) {
    remove();
    throw e;
  }
}

/** The example app's stack name, as bin/example-app.ts names it. */
export const EXAMPLE_STACK_NAME = 'OrdersPipeline';

export interface ExampleAppOptions extends ExampleStackProps {
  /** Changes the stack before synthesis: a variant of the app, as a user would write it. */
  readonly customize?: (stack: ExampleStack) => void;
}

/** bin/example-stack.ts's ExampleStack, synthesized. */
export function synthesizeExampleApp(options: ExampleAppOptions = {}): SynthesizedStack {
  const { customize, ...props } = options;
  return synthesize((app) => {
    const stack = new ExampleStack(app, EXAMPLE_STACK_NAME, props);
    customize?.(stack);
    return stack;
  });
}

/** Variants of the example app, each what a user might have written instead. */
export const exampleVariants = {
  /** The VPC without `gatewayEndpoints: { S3 }`: the connection's subnet has no route to S3. */
  withoutS3Route(stack: ExampleStack): void {
    const vpc = stack.node.findChild('Vpc');
    if (!vpc.node.tryRemoveChild('S3')) throw new Error('the example app has no S3 gateway endpoint to remove');
  },
  /** The security group without `addIngressRule(glueGroup, ec2.Port.allTcp())`. */
  withoutSelfReferencingRule(stack: ExampleStack): void {
    const rules = stack.node.findAll().filter((c) => c instanceof ec2.CfnSecurityGroupIngress);
    if (rules.length === 0) throw new Error('the example app has no security group ingress rule to remove');
    for (const rule of rules) rule.node.scope?.node.tryRemoveChild(rule.node.id);
  },
  /** The test with `failureMode: FailureMode.REPORT_ONLY`. */
  reportOnly(stack: ExampleStack): void {
    (stack.connectionTest.resource.node.defaultChild as CfnResource).addPropertyOverride('FailureMode', 'REPORT_ONLY');
  },
  /** The test names a connection that does not exist (an old name, a typo) instead of the stack's. */
  testsConnectionNamed(connectionName: string): (stack: ExampleStack) => void {
    return (stack) => (stack.connectionTest.resource.node.defaultChild as CfnResource).addPropertyOverride('ConnectionName', connectionName);
  },
  /** A changed connection definition (its Description): the test's fingerprint changes, so it gets an Update. */
  connectionDescription(description: string): (stack: ExampleStack) => void {
    return (stack) => (stack.node.findChild('OrdersDb') as glue.CfnConnection).addPropertyOverride('ConnectionInput.Description', description);
  },
};

// ---------------------------------------------------------------------------------------------
// Intrinsic functions

/** What the intrinsics of a template resolve against. */
export interface ResolveContext {
  /** AWS::AccountId, AWS::Region and the other pseudo parameters. */
  readonly pseudo: Readonly<Record<string, string>>;
  /** What `Fn::GetAZs` of the stack's region answers. */
  readonly availabilityZones: readonly string[];
  /** `Ref` of a resource: its physical id. */
  ref(logicalId: string): string;
  /** `Fn::GetAtt` of a resource. */
  getAtt(logicalId: string, attribute: string): string;
}

/** An intrinsic or template construct the simulation does not resolve. */
export class UnsupportedTemplate extends Error {
  public readonly name = 'UnsupportedTemplate';
}

/**
 * Resolves the intrinsics CloudFormation would resolve in `value`: Ref, Fn::GetAtt, Fn::Join,
 * Fn::Select, Fn::Split and Fn::GetAZs. Anything else that looks like an intrinsic (a
 * one-key object whose key is `Ref`, `Condition` or starts with `Fn::`) throws, naming where.
 */
export function resolveIntrinsics(value: unknown, context: ResolveContext, where: string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => resolveIntrinsics(v, context, `${where}[${i}]`));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const [name, argument] = entries.length === 1 ? entries[0] : [undefined, undefined];
  if (name === undefined || !(name === 'Ref' || name === 'Condition' || name.startsWith('Fn::'))) {
    return Object.fromEntries(entries.map(([k, v]) => [k, resolveIntrinsics(v, context, `${where}.${k}`)]));
  }
  const resolve = (v: unknown, suffix: string) => resolveIntrinsics(v, context, `${where}.${name}${suffix}`);
  const fail = (message: string): never => {
    throw new UnsupportedTemplate(`${where}: ${name} ${message}`);
  };
  const text = (v: unknown, what: string): string => (typeof v === 'string' ? v : fail(`needs a string ${what} (got ${JSON.stringify(v)})`));
  const list = (v: unknown, what: string): unknown[] => (Array.isArray(v) ? v : fail(`needs a list ${what} (got ${JSON.stringify(v)})`));
  switch (name) {
    case 'Ref': {
      const target = text(argument, 'argument');
      if (target.startsWith('AWS::')) return context.pseudo[target] ?? fail(`of pseudo parameter ${target} is not simulated`);
      return context.ref(target);
    }
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = typeof argument === 'string' ? argument.split(/\.(.*)/s) : list(argument, 'argument');
      return context.getAtt(text(logicalId, 'logical id'), text(attribute, 'attribute name'));
    }
    case 'Fn::Join': {
      const [separator, parts] = list(argument, 'argument');
      return list(resolve(parts, '[1]'), 'of values').map((p, i) => text(p, `value [${i}]`)).join(text(separator, 'separator'));
    }
    case 'Fn::Select': {
      const [index, from] = list(argument, 'argument');
      const i = Number(resolve(index, '[0]'));
      const values = list(resolve(from, '[1]'), 'of values');
      return Number.isInteger(i) && i >= 0 && i < values.length ? values[i] : fail(`index ${i} is out of range (${values.length} values)`);
    }
    case 'Fn::Split': {
      const [separator, source] = list(argument, 'argument');
      return text(resolve(source, '[1]'), 'source').split(text(separator, 'separator'));
    }
    case 'Fn::GetAZs': {
      const region = text(resolve(argument, ''), 'region');
      if (region !== '' && region !== context.pseudo['AWS::Region']) fail(`of region ${region} is not simulated (only the stack's region)`);
      return [...context.availabilityZones];
    }
    default:
      return fail('is not resolved by the simulation (it resolves Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split and Fn::GetAZs)');
  }
}

/** CloudFormation delivers a custom resource's scalar properties as strings ("true", "300"). */
function stringifyScalars(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stringifyScalars);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringifyScalars(v)]));
  }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

// ---------------------------------------------------------------------------------------------
// Resource types

/** Resource types the simulation does not create, and why that does not change what a test sees. */
export const NOT_SIMULATED: Readonly<Record<string, string>> = {
  'AWS::IAM::Role': 'permissions are not enforced by the local AWS',
  'AWS::IAM::Policy': 'permissions are not enforced by the local AWS',
  'AWS::Logs::LogGroup': 'the framework runner captures the Lambda logs itself',
  'AWS::Lambda::Function': 'the Provider framework runner stands in for both functions (framework and handler)',
  'AWS::EC2::FlowLog': 'flow logs observe traffic; they change nothing Glue checks',
  'AWS::KMS::Key': 'used only by resources that are not simulated',
  'AWS::Glue::SecurityConfiguration': 'used by the Glue job only',
  'AWS::Glue::Job': 'what a test gates: it is created only after the test passes, and not run here',
  'AWS::CDK::Metadata': 'CDK analytics, not a resource',
};

interface Created {
  readonly physicalId: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

interface Clients {
  readonly aws: LocalAws;
  readonly ec2: Ec2Client;
  readonly glue: GlueClient;
  readonly secrets: SecretsManagerClient;
  readonly stackName: string;
}

interface Handler {
  /** Properties read by `create`; every other property fails loudly... */
  readonly properties: readonly string[];
  /** ...except these, which are accepted and have no effect in the simulation. */
  readonly ignored?: readonly string[];
  create(props: Record<string, unknown>, logicalId: string, clients: Clients): Promise<Created>;
  /** Without it, any change of the resource's properties fails loudly. */
  update?(physicalId: string, props: Record<string, unknown>, clients: Clients): Promise<void>;
  /** Without it, the resource is left in the local AWS when the stack goes. */
  delete?(physicalId: string, clients: Clients): Promise<void>;
}

const idOf = (xml: XmlElement, element: string, field: string) => childText(child(xml, element), field) as string;
const str = (v: unknown) => String(v);

const SIMULATED: Readonly<Record<string, Handler>> = {
  'AWS::EC2::VPC': {
    properties: ['CidrBlock'],
    ignored: ['EnableDnsHostnames', 'EnableDnsSupport', 'InstanceTenancy', 'Tags'],
    create: async (p, _id, { ec2: api }) => ({ physicalId: idOf(await api.call('CreateVpc', { CidrBlock: str(p.CidrBlock) }), 'vpc', 'vpcId') }),
  },
  'AWS::EC2::Subnet': {
    properties: ['VpcId', 'CidrBlock', 'AvailabilityZone'],
    ignored: ['MapPublicIpOnLaunch', 'Tags'],
    create: async (p, _id, { ec2: api }) => ({
      physicalId: idOf(await api.call('CreateSubnet', { VpcId: str(p.VpcId), CidrBlock: str(p.CidrBlock), AvailabilityZone: str(p.AvailabilityZone) }), 'subnet', 'subnetId'),
    }),
  },
  'AWS::EC2::RouteTable': {
    properties: ['VpcId'],
    ignored: ['Tags'],
    create: async (p, _id, { ec2: api }) => ({ physicalId: idOf(await api.call('CreateRouteTable', { VpcId: str(p.VpcId) }), 'routeTable', 'routeTableId') }),
  },
  'AWS::EC2::SubnetRouteTableAssociation': {
    properties: ['RouteTableId', 'SubnetId'],
    create: async (p, _id, { ec2: api }) => ({
      physicalId: childText(await api.call('AssociateRouteTable', { RouteTableId: str(p.RouteTableId), SubnetId: str(p.SubnetId) }), 'associationId') as string,
    }),
  },
  'AWS::EC2::VPCEndpoint': {
    properties: ['VpcId', 'ServiceName', 'VpcEndpointType', 'RouteTableIds'],
    ignored: ['Tags'],
    async create(p, _id, { ec2: api }) {
      if (p.VpcEndpointType !== 'Gateway') throw new UnsupportedTemplate(`VPCEndpoint: only Gateway endpoints are simulated (got ${str(p.VpcEndpointType)})`);
      const routeTables = Object.fromEntries(((p.RouteTableIds ?? []) as unknown[]).map((id, i) => [`RouteTableId.${i + 1}`, str(id)]));
      const xml = await api.call('CreateVpcEndpoint', { VpcId: str(p.VpcId), ServiceName: str(p.ServiceName), VpcEndpointType: 'Gateway', ...routeTables });
      return { physicalId: idOf(xml, 'vpcEndpoint', 'vpcEndpointId') };
    },
  },
  'AWS::EC2::SecurityGroup': {
    properties: ['GroupDescription', 'VpcId', 'SecurityGroupEgress'],
    ignored: ['Tags'],
    async create(p, logicalId, { ec2: api, stackName }) {
      const egress = JSON.stringify(p.SecurityGroupEgress ?? null);
      // What CloudFormation leaves in place when the template gives no egress rule, or exactly this one.
      const allowAll = JSON.stringify([{ CidrIp: '0.0.0.0/0', Description: 'Allow all outbound traffic by default', IpProtocol: '-1' }]);
      if (egress !== 'null' && egress !== allowAll) throw new UnsupportedTemplate(`SecurityGroup ${logicalId}: only the default allow-all egress is simulated`);
      const groupId = childText(await api.call('CreateSecurityGroup', {
        GroupName: `${stackName}-${logicalId}-${randomText(12)}`, GroupDescription: str(p.GroupDescription), VpcId: str(p.VpcId),
      }), 'groupId') as string;
      return { physicalId: groupId, attributes: { GroupId: groupId, VpcId: str(p.VpcId) } };
    },
  },
  'AWS::EC2::SecurityGroupIngress': {
    properties: ['GroupId', 'IpProtocol', 'FromPort', 'ToPort', 'SourceSecurityGroupId', 'CidrIp'],
    ignored: ['Description'],
    async create(p, _id, { ec2: api }) {
      const rule: Record<string, string> = { GroupId: str(p.GroupId), 'IpPermissions.1.IpProtocol': str(p.IpProtocol) };
      if (p.FromPort !== undefined) rule['IpPermissions.1.FromPort'] = str(p.FromPort);
      if (p.ToPort !== undefined) rule['IpPermissions.1.ToPort'] = str(p.ToPort);
      if (p.SourceSecurityGroupId !== undefined) rule['IpPermissions.1.Groups.1.GroupId'] = str(p.SourceSecurityGroupId);
      if (p.CidrIp !== undefined) rule['IpPermissions.1.IpRanges.1.CidrIp'] = str(p.CidrIp);
      const xml = await api.call('AuthorizeSecurityGroupIngress', rule);
      return { physicalId: childText(items(xml, 'securityGroupRuleSet')[0], 'securityGroupRuleId') ?? `sgr-${randomText(17).toLowerCase()}` };
    },
  },
  'AWS::SecretsManager::Secret': {
    properties: ['Name', 'SecretString', 'GenerateSecretString'],
    ignored: ['Description'],
    async create(p, logicalId, { secrets }) {
      const secretString = p.SecretString !== undefined ? str(p.SecretString) : generateSecretString(p.GenerateSecretString, logicalId);
      const name = p.Name !== undefined ? str(p.Name) : `${logicalId}-${randomText(12)}`;
      const { ARN } = await secrets.send(new CreateSecretCommand({ Name: name, SecretString: secretString }));
      return { physicalId: ARN as string };
    },
    async delete(arn, { secrets }) {
      await secrets.send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true }));
    },
  },
  'AWS::Glue::Connection': {
    properties: ['CatalogId', 'ConnectionInput'],
    async create(p, _id, { glue: api }) {
      const input = p.ConnectionInput as { Name: string };
      await api.send(new CreateConnectionCommand({ CatalogId: p.CatalogId as string | undefined, ConnectionInput: input as never }));
      return { physicalId: input.Name };
    },
    async update(name, p, { glue: api }) {
      const input = p.ConnectionInput as { Name: string };
      if (input.Name !== name) throw new UnsupportedTemplate(`Glue::Connection ${name}: a new Name replaces the connection, which is not simulated`);
      await api.send(new UpdateConnectionCommand({ CatalogId: p.CatalogId as string | undefined, Name: name, ConnectionInput: input as never }));
    },
    async delete(name, { glue: api }) {
      await api.send(new DeleteConnectionCommand({ ConnectionName: name })).catch((e: Error) => {
        if (e.name !== 'EntityNotFoundException') throw e;
      });
    },
  },
};

const LETTERS_AND_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Secrets Manager's punctuation set for generated passwords. */
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

function randomText(length: number, alphabet = LETTERS_AND_DIGITS): string {
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/** What Secrets Manager generates for a GenerateSecretString (the options CDK's example uses; others fail). */
function generateSecretString(spec: unknown, logicalId: string): string {
  const { SecretStringTemplate, GenerateStringKey, ExcludePunctuation, PasswordLength, ...rest } = (spec ?? {}) as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw new UnsupportedTemplate(`Secret ${logicalId}: GenerateSecretString.${Object.keys(rest)[0]} is not simulated`);
  const password = randomText(Number(PasswordLength ?? 32), LETTERS_AND_DIGITS + (String(ExcludePunctuation) === 'true' ? '' : PUNCTUATION));
  if (GenerateStringKey === undefined) return password;
  return JSON.stringify({ ...(JSON.parse(String(SecretStringTemplate ?? '{}')) as object), [String(GenerateStringKey)]: password });
}

// ---------------------------------------------------------------------------------------------
// The deployment

/** A resource status, as the CloudFormation console and `cdk deploy` show it. */
export type ResourceStatus = `${'CREATE' | 'UPDATE' | 'DELETE'}_${'COMPLETE' | 'FAILED'}`;

/** What one custom resource event produced. */
export interface TestOutcome {
  readonly logicalId: string;
  readonly requestType: RequestType;
  /** What CloudFormation makes of the answer. */
  readonly status: ResourceStatus;
  /** The answer's Reason (always present on FAILED), or why CloudFormation refused the answer. */
  readonly reason?: string;
  readonly physicalResourceId?: string;
  /** The answer's Data (the resource's Fn::GetAtt attributes). */
  readonly data?: Readonly<Record<string, unknown>>;
  /** The framework's run, from the event to the answer's PUT. */
  readonly durationMs: number;
  /** Everything the runner recorded: the event, the answers, the logs. */
  readonly result: EventResult;
  /** The requests the local AWS served while the event ran (the handler's calls). */
  readonly awsRequests: readonly ServedRequest[];
  /** The properties the event carried. */
  readonly properties: Readonly<Record<string, unknown>>;
}

/** One line of the stack's history, as CloudFormation's events show it. */
export interface StackEvent {
  readonly logicalId: string;
  readonly type: string;
  readonly status: ResourceStatus;
  /** Set on the events of a rollback. */
  readonly rollback?: true;
  readonly physicalId?: string;
  readonly reason?: string;
  readonly durationMs: number;
  /** The test's outcome, for a Custom::GlueConnectionTest. */
  readonly test?: TestOutcome;
}

/** The result of a stack operation (create, update, delete). */
export interface StackOperation {
  /**
   * The stack's final status: CREATE_COMPLETE, ROLLBACK_COMPLETE, UPDATE_COMPLETE,
   * UPDATE_ROLLBACK_COMPLETE, DELETE_COMPLETE; ROLLBACK_FAILED, UPDATE_ROLLBACK_FAILED or
   * DELETE_FAILED when a test failed its rollback or delete (which the design says must never happen).
   */
  readonly stackStatus: string;
  readonly events: readonly StackEvent[];
  /** The test events of the operation itself, in order (not those of its rollback). */
  readonly tests: readonly TestOutcome[];
  /** The test events of the rollback, if the operation failed. */
  readonly rollback: readonly TestOutcome[];
  /** Resources of the template that were never created because a test they wait for failed. */
  readonly neverCreated: readonly string[];
}

export interface DeploymentOptions {
  /**
   * Called after CloudFormation creates each simulated resource: what happens outside the stack
   * at that moment (e.g. the database adopting the secret's password, as its rotation would).
   */
  readonly afterCreate?: (resource: { logicalId: string; type: string; physicalId: string }, deployment: Deployment) => Promise<void>;
}

interface DeployedResource {
  readonly type: string;
  readonly physicalId: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** The resolved properties it was created or last updated with. */
  properties: Record<string, unknown>;
}

/**
 * One stack, deployed to the simulation. Create it with `Deployment.create`; it keeps the
 * physical ids, so that `updateStack` and `deleteStack` act on what `createStack` made.
 */
export class Deployment {
  /** Creates the stack: every resource in order, the tests included; rolls back when a test fails. */
  public static async create(sim: Simulation, stack: SynthesizedStack, options: DeploymentOptions = {}): Promise<{ deployment: Deployment; operation: StackOperation }> {
    const deployment = Deployment.prepare(sim, stack, options);
    return { deployment, operation: await deployment.createStack() };
  }

  /** A stack not created yet: for `createStack`, or for sending test events one by one. */
  public static prepare(sim: Simulation, stack: SynthesizedStack, options: DeploymentOptions = {}): Deployment {
    return new Deployment(sim, stack, options);
  }

  public readonly stackId: string;
  /** Whether the stack exists (from createStack until a rolled-back create or a delete). */
  public exists = false;
  private readonly clients: Clients;
  private readonly deployed = new Map<string, DeployedResource>();
  private readonly tests = new Map<string, { physicalId: string; properties: Record<string, unknown> }>();
  private frameworkSetup: { frameworkId: string; handlerId: string; runner: ProviderFramework } | undefined;

  private constructor(private readonly sim: Simulation, private stack: SynthesizedStack, private readonly options: DeploymentOptions) {
    this.stackId = `arn:aws:cloudformation:${sim.aws.region}:${sim.aws.accountId}:stack/${stack.stackName}/${randomUUID()}`;
    checkTemplate(stack.template);
    const config = { endpoint: sim.aws.endpoint, region: sim.aws.region, credentials: sim.aws.credentials };
    this.clients = {
      aws: sim.aws,
      ec2: createEc2Client(config),
      glue: new GlueClient(config),
      secrets: new SecretsManagerClient(config),
      stackName: stack.stackName,
    };
  }

  /** The template the stack has now. */
  public get template(): CfnTemplate {
    return this.stack.template;
  }

  /** The physical id of a created resource (a test's: the id its Create answered). */
  public physicalId(logicalId: string): string {
    const id = this.deployed.get(logicalId)?.physicalId ?? this.tests.get(logicalId)?.physicalId;
    if (id === undefined) throw new Error(`${logicalId} has not been created`);
    return id;
  }

  /** The logical ids of the template's resources of one type (default: the connection tests). */
  public logicalIds(type = RESOURCE_TYPE): string[] {
    return logicalIdsOfType(this.stack.template, type);
  }

  /** The SecretString of a secret the stack created (to give the database its password). */
  public async secretString(logicalId: string): Promise<string> {
    const { SecretString } = await this.clients.secrets.send(new GetSecretValueCommand({ SecretId: this.physicalId(logicalId) }));
    return SecretString ?? '';
  }

  /**
   * Sends one test its Create, Update or Delete. Create and Update carry the test's properties
   * in `template` (default: the stack's), resolved as CloudFormation would; Update carries the
   * last properties as OldResourceProperties; Update and Delete carry the physical id the last
   * answer gave. The runner sets `stackStatus` for DescribeStacks during the event.
   */
  public async sendTestEvent(logicalId: string, requestType: RequestType, options: { template?: CfnTemplate; stackStatus?: string } = {}): Promise<TestOutcome> {
    const current = this.tests.get(logicalId);
    if (requestType !== 'Create' && !current) throw new Error(`${requestType} of ${logicalId}, which was never created`);
    const properties = requestType === 'Delete' ? current!.properties : this.resolveTestProperties(logicalId, options.template ?? this.stack.template);
    const framework = this.setUpFramework(this.stack.template).runner;
    const before = this.sim.aws.requests.length;
    const result = await framework.sendEvent({
      requestType,
      logicalResourceId: logicalId,
      stackId: this.stackId,
      stackStatus: options.stackStatus,
      resourceProperties: properties,
      oldResourceProperties: requestType === 'Update' ? current!.properties : undefined,
      physicalResourceId: requestType === 'Create' ? undefined : current!.physicalId,
    });
    const outcome = interpret(logicalId, requestType, properties, result, this.sim.aws.requests.slice(before));
    if (requestType === 'Delete') {
      if (outcome.status === 'DELETE_COMPLETE') this.tests.delete(logicalId);
    } else if (outcome.physicalResourceId !== undefined) {
      this.tests.set(logicalId, { physicalId: outcome.physicalResourceId, properties });
    }
    return outcome;
  }

  /** CloudFormation's CreateStack. */
  public async createStack(): Promise<StackOperation> {
    this.exists = true;
    const events: StackEvent[] = [];
    const tests: TestOutcome[] = [];
    for (const logicalId of creationOrder(this.stack.template)) {
      const resource = this.stack.template.Resources[logicalId];
      if (resource.Type === RESOURCE_TYPE) {
        const outcome = await this.sendTestEvent(logicalId, 'Create', { stackStatus: 'CREATE_IN_PROGRESS' });
        tests.push(outcome);
        events.push(testEvent(outcome));
        if (outcome.status !== 'CREATE_COMPLETE') {
          const rollback = await this.rollBackCreate(logicalId, outcome);
          events.push(...rollback.map((r) => ({ ...testEvent(r), rollback: true as const })));
          const stackStatus = rollback.every((r) => r.status === 'DELETE_COMPLETE') ? 'ROLLBACK_COMPLETE' : 'ROLLBACK_FAILED';
          return { stackStatus, events, tests, rollback, neverCreated: dependentsOf(this.stack.template, logicalId) };
        }
      } else if (SIMULATED[resource.Type]) {
        const started = Date.now();
        const physicalId = await this.createResource(logicalId, resource);
        events.push({ logicalId, type: resource.Type, status: 'CREATE_COMPLETE', physicalId, durationMs: Date.now() - started });
      }
    }
    return { stackStatus: 'CREATE_COMPLETE', events, tests, rollback: [], neverCreated: [] };
  }

  /**
   * CloudFormation's UpdateStack to `next`: changed resources are updated, a test whose
   * properties changed gets an Update. When a test fails, the previous template is re-applied
   * and the tests get an Update during UPDATE_ROLLBACK_IN_PROGRESS.
   */
  public async updateStack(next: SynthesizedStack): Promise<StackOperation> {
    checkTemplate(next.template);
    const previous = this.stack;
    const events: StackEvent[] = [];
    const tests: TestOutcome[] = [];
    const changed: string[] = [];
    for (const logicalId of creationOrder(next.template)) {
      const resource = next.template.Resources[logicalId];
      const old = previous.template.Resources[logicalId];
      if (!old || old.Type !== resource.Type) throw new UnsupportedTemplate(`${logicalId}: adding or replacing resources in an update is not simulated`);
      const started = Date.now();
      if (resource.Type === RESOURCE_TYPE) {
        if (sameJson(this.resolveTestProperties(logicalId, next.template), this.tests.get(logicalId)?.properties)) continue;
        const outcome = await this.sendTestEvent(logicalId, 'Update', { template: next.template, stackStatus: 'UPDATE_IN_PROGRESS' });
        tests.push(outcome);
        events.push(testEvent(outcome));
        changed.push(logicalId);
        if (outcome.status !== 'UPDATE_COMPLETE') {
          const rollback = await this.rollBackUpdate(previous, changed, events);
          const stackStatus = rollback.every((r) => r.status === 'UPDATE_COMPLETE') ? 'UPDATE_ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_FAILED';
          return { stackStatus, events, tests, rollback, neverCreated: [] };
        }
      } else if (resource.Type === 'AWS::Lambda::Function' && !sameJson(resource.Properties, old.Properties)) {
        // The runner keeps running the code and settings it started with.
        throw new UnsupportedTemplate(`${logicalId}: updating a Lambda function (new code or settings) is not simulated`);
      } else if (SIMULATED[resource.Type]) {
        if (await this.updateResource(logicalId, resource)) {
          changed.push(logicalId);
          events.push({ logicalId, type: resource.Type, status: 'UPDATE_COMPLETE', physicalId: this.physicalId(logicalId), durationMs: Date.now() - started });
        }
      }
    }
    const removed = Object.keys(previous.template.Resources).filter((id) => !next.template.Resources[id]);
    if (removed.length > 0) throw new UnsupportedTemplate(`removing resources in an update is not simulated (${removed.join(', ')})`);
    this.stack = next;
    return { stackStatus: 'UPDATE_COMPLETE', events, tests, rollback: [], neverCreated: [] };
  }

  /** CloudFormation's DeleteStack: the tests get their Delete, then the resources go. */
  public async deleteStack(): Promise<StackOperation> {
    const events: StackEvent[] = [];
    const tests: TestOutcome[] = [];
    for (const logicalId of creationOrder(this.stack.template).reverse()) {
      if (this.tests.has(logicalId)) {
        const outcome = await this.sendTestEvent(logicalId, 'Delete', { stackStatus: 'DELETE_IN_PROGRESS' });
        tests.push(outcome);
        events.push(testEvent(outcome));
      } else if (this.deployed.has(logicalId)) {
        events.push(await this.deleteResource(logicalId));
      }
    }
    this.exists = false;
    const stackStatus = tests.every((t) => t.status === 'DELETE_COMPLETE') ? 'DELETE_COMPLETE' : 'DELETE_FAILED';
    return { stackStatus, events, tests, rollback: [], neverCreated: [] };
  }

  /** Removes what the stack left in the local AWS, without sending any event (test clean-up). */
  public async dispose(): Promise<void> {
    for (const logicalId of [...this.deployed.keys()].reverse()) await this.deleteResource(logicalId).catch(() => undefined);
    this.tests.clear();
    this.exists = false;
    this.clients.glue.destroy();
    this.clients.secrets.destroy();
  }

  private async createResource(logicalId: string, resource: TemplateResource): Promise<string> {
    const handler = SIMULATED[resource.Type];
    const props = this.resolveProperties(logicalId, resource, handler);
    const created = await handler.create(props, logicalId, this.clients);
    this.deployed.set(logicalId, { type: resource.Type, physicalId: created.physicalId, attributes: created.attributes ?? {}, properties: props });
    await this.options.afterCreate?.({ logicalId, type: resource.Type, physicalId: created.physicalId }, this);
    return created.physicalId;
  }

  /** Whether the resource changed (and so was updated). */
  private async updateResource(logicalId: string, resource: TemplateResource): Promise<boolean> {
    const handler = SIMULATED[resource.Type];
    const deployed = this.deployed.get(logicalId);
    if (!deployed) throw new Error(`${logicalId} was never created`);
    const props = this.resolveProperties(logicalId, resource, handler);
    if (sameJson(props, deployed.properties)) return false;
    if (!handler.update) throw new UnsupportedTemplate(`${logicalId}: updating a ${resource.Type} is not simulated`);
    await handler.update(deployed.physicalId, props, this.clients);
    deployed.properties = props;
    return true;
  }

  private async deleteResource(logicalId: string): Promise<StackEvent> {
    const deployed = this.deployed.get(logicalId) as DeployedResource;
    const started = Date.now();
    await SIMULATED[deployed.type].delete?.(deployed.physicalId, this.clients);
    this.deployed.delete(logicalId);
    return { logicalId, type: deployed.type, status: 'DELETE_COMPLETE', physicalId: deployed.physicalId, durationMs: Date.now() - started };
  }

  /** After a failed Create: the failed test gets its Delete (the framework's marker id), then everything goes. */
  private async rollBackCreate(failedTest: string, failed: TestOutcome): Promise<TestOutcome[]> {
    const rollback: TestOutcome[] = [];
    if (failed.physicalResourceId !== undefined) {
      rollback.push(await this.sendTestEvent(failedTest, 'Delete', { stackStatus: 'ROLLBACK_IN_PROGRESS' }));
    }
    for (const logicalId of creationOrder(this.stack.template).reverse()) {
      if (this.tests.has(logicalId)) rollback.push(await this.sendTestEvent(logicalId, 'Delete', { stackStatus: 'ROLLBACK_IN_PROGRESS' }));
      else if (this.deployed.has(logicalId)) await this.deleteResource(logicalId);
    }
    this.exists = false;
    return rollback;
  }

  /** After a failed Update: what changed goes back to the previous template, in order. */
  private async rollBackUpdate(previous: SynthesizedStack, changed: string[], events: StackEvent[]): Promise<TestOutcome[]> {
    const rollback: TestOutcome[] = [];
    for (const logicalId of creationOrder(previous.template).filter((id) => changed.includes(id))) {
      const resource = previous.template.Resources[logicalId];
      if (resource.Type === RESOURCE_TYPE) {
        const outcome = await this.sendTestEvent(logicalId, 'Update', { template: previous.template, stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS' });
        rollback.push(outcome);
        events.push({ ...testEvent(outcome), rollback: true });
      } else {
        const started = Date.now();
        await this.updateResource(logicalId, resource);
        events.push({ logicalId, type: resource.Type, status: 'UPDATE_COMPLETE', rollback: true, physicalId: this.physicalId(logicalId), durationMs: Date.now() - started });
      }
    }
    return rollback;
  }

  private resolveProperties(logicalId: string, resource: TemplateResource, handler: Handler): Record<string, unknown> {
    const props = resource.Properties ?? {};
    const unknown = Object.keys(props).filter((k) => !handler.properties.includes(k) && !(handler.ignored ?? []).includes(k));
    if (unknown.length > 0) throw new UnsupportedTemplate(`${logicalId} (${resource.Type}): property ${unknown.join(', ')} is not simulated`);
    const known = Object.fromEntries(Object.entries(props).filter(([k]) => handler.properties.includes(k)));
    return resolveIntrinsics(known, this.context(), `Resources.${logicalId}.Properties`) as Record<string, unknown>;
  }

  /** A test's properties as its event carries them: resolved, scalars as strings, without ServiceToken (the runner adds it). */
  private resolveTestProperties(logicalId: string, template: CfnTemplate): Record<string, unknown> {
    const resource = template.Resources[logicalId];
    const resolved = stringifyScalars(resolveIntrinsics(resource.Properties ?? {}, this.context(template), `Resources.${logicalId}.Properties`)) as Record<string, unknown>;
    const { ServiceToken, ...properties } = resolved;
    if (ServiceToken !== this.setUpFramework(template).runner.serviceToken) throw new UnsupportedTemplate(`${logicalId}: ServiceToken ${String(ServiceToken)} is not the stack's Provider framework`);
    return properties;
  }

  private context(template = this.stack.template): ResolveContext {
    const { aws } = this.sim;
    return {
      pseudo: {
        'AWS::AccountId': aws.accountId,
        'AWS::Region': aws.region,
        'AWS::Partition': 'aws',
        'AWS::URLSuffix': 'amazonaws.com',
        'AWS::StackName': this.stack.stackName,
        'AWS::StackId': this.stackId,
      },
      availabilityZones: ['a', 'b', 'c'].map((z) => `${aws.region}${z}`),
      ref: (logicalId) => {
        const deployed = this.deployed.get(logicalId);
        if (deployed) return deployed.physicalId;
        const type = template.Resources[logicalId]?.Type;
        throw new UnsupportedTemplate(type === undefined ? `Ref to ${logicalId}, which the template does not define`
          : `Ref to ${logicalId} (${type}), which ${SIMULATED[type] ? 'is not created yet' : 'the simulation does not create'}`);
      },
      getAtt: (logicalId, attribute) => {
        const type = template.Resources[logicalId]?.Type;
        if (type === 'AWS::Lambda::Function' && attribute === 'Arn') return this.functionArn(logicalId, template);
        const value = this.deployed.get(logicalId)?.attributes[attribute];
        if (value === undefined) throw new UnsupportedTemplate(`Fn::GetAtt ${logicalId}.${attribute} (${type ?? 'undefined resource'}) is not simulated`);
        return value;
      },
    };
  }

  /** The two Lambda functions the framework runner stands for have ARNs; no other function does. */
  private functionArn(logicalId: string, template: CfnTemplate): string {
    const framework = this.setUpFramework(template);
    if (logicalId === framework.frameworkId) return framework.runner.serviceToken;
    if (logicalId === framework.handlerId) return framework.runner.handlerArn;
    throw new UnsupportedTemplate(`Fn::GetAtt ${logicalId}.Arn: only the stack's Provider framework and its handler are simulated`);
  }

  /**
   * The stack's Provider framework, from its template: the function whose handler is
   * `framework.onEvent`, and the handler function its USER_ON_EVENT_FUNCTION_ARN names, run
   * from its asset in cdk.out with its timeout and environment.
   */
  private setUpFramework(template: CfnTemplate): { frameworkId: string; handlerId: string; runner: ProviderFramework } {
    if (this.frameworkSetup) return this.frameworkSetup;
    const functions = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    const frameworks = functions.filter(([, r]) => r.Properties?.Handler === 'framework.onEvent');
    if (frameworks.length !== 1) throw new UnsupportedTemplate(`expected one Provider framework function (Handler framework.onEvent), found ${frameworks.length}`);
    const [frameworkId, frameworkFn] = frameworks[0];
    const variables = ((frameworkFn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables) ?? {};
    const { USER_ON_EVENT_FUNCTION_ARN: userFunction, ...otherVariables } = variables;
    if (Object.keys(otherVariables).length > 0) throw new UnsupportedTemplate(`${frameworkId}: framework variables ${Object.keys(otherVariables).join(', ')} are not simulated (no isComplete/waiter)`);
    const handlerId = (userFunction as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
    const handlerFn = handlerId !== undefined ? template.Resources[handlerId] : undefined;
    if (!handlerId || handlerFn?.Type !== 'AWS::Lambda::Function') throw new UnsupportedTemplate(`${frameworkId}: USER_ON_EVENT_FUNCTION_ARN must be Fn::GetAtt of a function's Arn`);
    const p = handlerFn.Properties ?? {};
    const [file, exported] = String(p.Handler).split('.');
    if (exported !== 'handler' || !String(p.Runtime).startsWith('nodejs')) {
      throw new UnsupportedTemplate(`${handlerId}: the runner runs a Node.js function's "handler" export (got ${String(p.Runtime)} ${String(p.Handler)})`);
    }
    const environment = (p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    if (/"(Ref|Fn::[A-Za-z]+)":/.test(JSON.stringify(environment ?? {}))) {
      throw new UnsupportedTemplate(`${handlerId}: intrinsics in the handler's environment are not simulated`);
    }
    const runner = createProviderFramework({
      localAws: this.sim.aws,
      responseEndpoint: this.sim.responses,
      handlerBundle: path.join(assetDirectory(this.stack, handlerId, p.Code), `${file}.js`),
      handlerTimeoutSeconds: Number(p.Timeout ?? 3),
      handlerEnvironment: environment as Record<string, string> | undefined,
    });
    this.frameworkSetup = { frameworkId, handlerId, runner };
    return this.frameworkSetup;
  }
}

/** The directory in cdk.out of the asset `cdk deploy` would upload as a function's S3Key. */
function assetDirectory(stack: SynthesizedStack, logicalId: string, code: unknown): string {
  const key = (code as { S3Key?: unknown } | undefined)?.S3Key;
  if (typeof key !== 'string') throw new UnsupportedTemplate(`${logicalId}: Code must be an asset (S3Key)`);
  const manifestFile = path.join(stack.outdir, `${stack.stackName}.assets.json`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as {
    files?: Record<string, { source: { path?: string; packaging?: string }; destinations: Record<string, { objectKey: string }> }>;
  };
  const asset = Object.values(manifest.files ?? {}).find((f) => Object.values(f.destinations).some((d) => d.objectKey === key));
  if (!asset?.source.path || asset.source.packaging !== 'zip') throw new UnsupportedTemplate(`${logicalId}: no zip asset with object key ${key} in ${manifestFile}`);
  return path.join(stack.outdir, asset.source.path);
}

/** Conditions and conditional resources are not simulated. */
function checkTemplate(template: CfnTemplate): void {
  if (Object.keys(template.Conditions ?? {}).length > 0) throw new UnsupportedTemplate('template Conditions are not simulated');
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Condition !== undefined) throw new UnsupportedTemplate(`${logicalId}: Condition is not simulated`);
    if (resource.Type !== RESOURCE_TYPE && !SIMULATED[resource.Type] && NOT_SIMULATED[resource.Type] === undefined) {
      throw new UnsupportedTemplate(`${logicalId}: resource type ${resource.Type} is unknown to the simulation; add it to SIMULATED or NOT_SIMULATED in test/e2e/deploy.ts`);
    }
  }
}

/** The logical ids a resource waits for: DependsOn, and every Ref and Fn::GetAtt in its properties. */
function dependenciesOf(template: CfnTemplate, logicalId: string): Set<string> {
  const resource = template.Resources[logicalId];
  const found = new Set<string>(resource.DependsOn === undefined ? [] : ([] as string[]).concat(resource.DependsOn));
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (value === null || typeof value !== 'object') return;
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'Ref' && typeof v === 'string' && template.Resources[v]) found.add(v);
      else if (key === 'Fn::GetAtt') found.add(Array.isArray(v) ? String(v[0]) : String(v).split('.')[0]);
      else walk(v);
    }
  };
  walk(resource.Properties);
  return found;
}

/** The template's resources in an order CloudFormation could create them (template order among equals). */
export function creationOrder(template: CfnTemplate): string[] {
  const ids = Object.keys(template.Resources);
  const done = new Set<string>();
  const order: string[] = [];
  while (order.length < ids.length) {
    const next = ids.find((id) => !done.has(id) && [...dependenciesOf(template, id)].every((d) => done.has(d)));
    if (next === undefined) throw new UnsupportedTemplate(`circular dependency among ${ids.filter((id) => !done.has(id)).join(', ')}`);
    done.add(next);
    order.push(next);
  }
  return order;
}

/** Every resource that waits, directly or not, for `logicalId`. */
export function dependentsOf(template: CfnTemplate, logicalId: string): string[] {
  const found = new Set<string>([logicalId]);
  for (const id of creationOrder(template)) {
    if ([...dependenciesOf(template, id)].some((d) => found.has(d))) found.add(id);
  }
  found.delete(logicalId);
  return [...found];
}

/** The logical ids of a template's resources of one type, in template order. */
export function logicalIdsOfType(template: CfnTemplate, type: string): string[] {
  return Object.keys(template.Resources).filter((id) => template.Resources[id].Type === type);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** What CloudFormation makes of the answers to one event. */
function interpret(logicalId: string, requestType: RequestType, properties: Record<string, unknown>, result: EventResult, awsRequests: ServedRequest[]): TestOutcome {
  const action = requestType.toUpperCase() as 'CREATE' | 'UPDATE' | 'DELETE';
  const base = { logicalId, requestType, durationMs: result.durationMs, result, awsRequests, properties };
  const answer = result.response;
  if (!answer) {
    const timeout = Number(properties.ServiceTimeout ?? 3600);
    return { ...base, status: `${action}_FAILED`, reason: `CloudFormation did not receive a response from your Custom Resource (it waits ServiceTimeout, ${timeout} s)` };
  }
  if (answer.violations.length > 0) {
    return { ...base, status: `${action}_FAILED`, reason: `Invalid response object: ${answer.violations.join('; ')}` };
  }
  const body = answer.body ?? {};
  return {
    ...base,
    status: `${action}_${body.Status === 'SUCCESS' ? 'COMPLETE' : 'FAILED'}`,
    reason: typeof body.Reason === 'string' && body.Status === 'FAILED' ? body.Reason : undefined,
    physicalResourceId: typeof body.PhysicalResourceId === 'string' ? body.PhysicalResourceId : undefined,
    data: body.Data !== null && typeof body.Data === 'object' ? body.Data as Record<string, unknown> : undefined,
  };
}

function testEvent(outcome: TestOutcome): StackEvent {
  return { logicalId: outcome.logicalId, type: RESOURCE_TYPE, status: outcome.status, reason: outcome.reason, durationMs: outcome.durationMs, test: outcome };
}

// ---------------------------------------------------------------------------------------------
// What happens around the example app's deployment

/**
 * The database side of the example: right after CloudFormation creates the login's secret,
 * the database adopts its password (what the database's rotation function, or RDS managing the
 * secret, does). Without it, the secret holds a password the database has never seen.
 */
export function databaseAdoptsSecret(sim: Simulation): NonNullable<DeploymentOptions['afterCreate']> {
  return async ({ logicalId, type }, deployment) => {
    if (type !== 'AWS::SecretsManager::Secret') return;
    const { password } = JSON.parse(await deployment.secretString(logicalId)) as { password: string };
    await sim.pg.setPassword(password);
  };
}

/** Creates the example stack; the database adopts the secret's password unless told otherwise. */
export function deployExampleApp(sim: Simulation, stack: SynthesizedStack, options: { databaseAdoptsSecret?: boolean } = {}): Promise<{ deployment: Deployment; operation: StackOperation }> {
  return Deployment.create(sim, stack, { afterCreate: options.databaseAdoptsSecret === false ? undefined : databaseAdoptsSecret(sim) });
}
