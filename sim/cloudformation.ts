/**
 * The deployment simulation, shared by the e2e suites and `npm run demo`: a stand-in for
 * CloudFormation that deploys a synthesized CDK app to the local AWS of `sim/`. It is
 * meant to be at least as strict as CloudFormation: every order of operations it produces is
 * one CloudFormation could produce, and a template it cannot deploy faithfully is an error.
 *
 * What it does, as CloudFormation does:
 * - reads the template that `app.synth()` wrote to cdk.out, and the assets manifest beside it;
 * - runs the operations of a stack operation concurrently: each resource starts as soon as
 *   every resource it depends on (DependsOn, and every Ref, Fn::GetAtt and Fn::Sub reference
 *   in its properties) is done, and takes a per-type simulated duration (DURATIONS) with
 *   seeded jitter, so that independent resources finish in an order the seed decides: a seed
 *   is one possible order, and tests try several (`seed`, `planCreate`);
 * - resolves the intrinsics that appear in the resources it creates, and only those: Ref
 *   (resources and pseudo parameters), Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split, Fn::Sub,
 *   Fn::GetAZs and Fn::ImportValue;
 * - deploys an app of several stacks as `cdk deploy --all` does (`synthesizeApp`,
 *   `AppDeployment`): each stack after the stacks it depends on, stopping at the first that
 *   fails; a stack's exports (Outputs with Export) are what the others import, with
 *   CloudFormation's refusals: an import of a name no stack exports ("No export named ... found",
 *   before the operation starts), a name exported twice, an export in use updated, removed or
 *   its stack deleted. Any other intrinsic, resource type, property or update fails loudly,
 *   naming it: a template this simulation cannot deploy faithfully is an error, never a
 *   silent approximation;
 * - on an update, decides per resource: unchanged resolved properties, nothing (no event); a
 *   changed property that the CloudFormation resource reference marks "Update requires:
 *   Replacement" (REPLACED_ON_CHANGE), a replacement: the new physical resource is created
 *   first, the resources that refer to it get its new id and are updated when their resolved
 *   properties change; any other change, an update in place. A resource added to the template
 *   is created; removed resources and the old physical resources of replaced ones are deleted
 *   in a cleanup phase after every update is done (UPDATE_COMPLETE_CLEANUP_IN_PROGRESS);
 * - sends each `Custom::GlueConnectionTest` its Create, Update and Delete events through
 *   aws-cdk-lib's own Provider framework code (`createProviderFramework`), which runs the
 *   handler bundle from the asset in cdk.out (the zip `cdk deploy` would upload) with the
 *   template's Lambda timeout, and reads the answer from the presigned response endpoint. A
 *   test gets an Update only when its resolved properties changed (a replaced resource it
 *   refers to changes them; a replaced resource it does not refer to does not);
 * - on a failure, stops starting operations; those in progress finish and are reported
 *   cancelled ("Resource creation cancelled"); then it rolls back: a failed Create deletes
 *   everything it made, dependents first (the failed test gets the Delete CloudFormation sends,
 *   with the framework's CREATE_FAILED marker as physical id); a failed Update goes back to the
 *   previous template (a replaced resource goes back to its old physical resource, which still
 *   exists because the cleanup phase never ran; a test whose properties changed gets an Update
 *   while the stack is UPDATE_ROLLBACK_IN_PROGRESS), then deletes what the failed update created
 *   (UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS). The removed resources are never deleted.
 *
 * What it simulates:
 * - created, updated and deleted in the local AWS: VPC, subnet, route table and association,
 *   VPC gateway endpoint, security group and ingress rule (moto's EC2), Secrets Manager secret
 *   (moto; a GenerateSecretString is generated here), Glue connection (the local Glue);
 * - not created (listed in NOT_SIMULATED with the reason), but scheduled like the others with
 *   their own durations, since what waits for them waits as long: IAM, log groups, the two
 *   Lambda functions (the framework runner stands in for both), KMS, flow logs, and the Glue
 *   job and security configuration that a test gates.
 *
 * Time: durations are simulated seconds on a simulated clock, never waited for, so a seed
 * costs no wall-clock time and CI stays as fast as with one-at-a-time creation. Each
 * operation's effect on the local AWS happens at its simulated end for a create or update
 * (a resource is usable only once CloudFormation reports it complete) and at its simulated
 * start for a delete (it is unusable from the moment its deletion begins): the stricter
 * reading each time. A test's event runs at its simulated start and sees the local AWS as it
 * is then: effects are applied one at a time in simulated-time order, and none while an event
 * runs, so a seed always gives the same result; events that overlap in simulated time run one
 * after another on this machine, which nothing they observe can tell apart (concurrent
 * handler containers are the concurrency suite's subject, test/sim/concurrency).
 *
 * Assumptions (CloudFormation does not document them): the durations (see DURATIONS: typical
 * stack-event timings, chosen wide so that every order the dependencies allow can occur); an
 * event's ResourceProperties carry every property of the custom resource, ServiceToken and
 * ServiceTimeout included, with scalars as strings; a secret's generated name is
 * `<LogicalId>-<12 random letters and digits>` (the shape CDK's secretName parsing relies on);
 * operations in progress when another fails still take effect (and are then rolled back).
 * Simplifications: a resource not simulated counts as changed when its template properties
 * changed or a resource they refer to was replaced, and as replaced when such a property is
 * one of REPLACED_ON_CHANGE; a custom resource that answers an Update
 * with a new physical id is not simulated (ours never does); changing a Lambda function, a
 * ServiceToken or a resource's type fails loudly; Conditions are not simulated.
 */
import { CreateConnectionCommand, DeleteConnectionCommand, GlueClient, UpdateConnectionCommand } from '@aws-sdk/client-glue';
import {
  CreateSecretCommand, DeleteSecretCommand, GetSecretValueCommand, SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { App, Aspects, CfnResource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { createHash, randomInt, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ExampleStack, ExampleStackProps } from '../bin/example-stack';
import { GlueConnectionTestAspect } from '../lib/aspect/aspect';
import { GlueConnectionTest } from '../lib/construct/glue-connection-test';
import { RESOURCE_TYPE } from '../lib/contract/resource';
import { NetworkCheck } from '../lib/network/rules';
import { referencedIds } from '../lib/private/cfn-values';
import { child, childText, createEc2Client, Ec2Client, items, XmlElement } from './ec2';
import { LocalAws, ServedRequest, startLocalAws } from './local-aws';
import { Pg, startPostgres } from './postgres';
import { createProviderFramework, EventResult, HandlerInvocation, ProviderFramework, RequestType } from './provider-framework';
import { ResponseEndpoint, startResponseEndpoint } from './response-endpoint';

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
  /** Outputs; those with an Export are what other stacks' `Fn::ImportValue` reads. */
  readonly Outputs?: Record<string, { readonly Value: unknown; readonly Export?: { readonly Name: unknown } }>;
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

/**
 * The same synthesized stack with a changed copy of its template (what a hand edit of
 * cdk.out would deploy): for variants that synthesis would refuse or cannot express. It
 * shares the original's cdk.out, which the original's `remove` removes.
 */
export function withTemplate(stack: SynthesizedStack, change: (template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: string | string[] }> }) => void): SynthesizedStack {
  const template = JSON.parse(JSON.stringify(stack.template)) as CfnTemplate;
  change(template as never);
  return { ...stack, template, remove: () => undefined };
}

/** A synthesized app of several stacks, in the order `cdk deploy --all` deploys them (each after the stacks it depends on). */
export interface SynthesizedApp {
  readonly outdir: string;
  readonly stacks: readonly SynthesizedStack[];
  /** A stack by name. */
  stack(name: string): SynthesizedStack;
  /** Removes the cdk.out directory. */
  remove(): void;
}

/**
 * Synthesizes an app of several stacks into a fresh temporary cdk.out, as `cdk synth` would,
 * and reads back every top-level stack in dependency order (the manifest's `dependencies`,
 * which `cdk deploy --all` follows; template order among equals).
 */
export function synthesizeApp(build: (app: App) => void, outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'glue-sim-cdk.out-'))): SynthesizedApp {
  const remove = () => fs.rmSync(outdir, { recursive: true, force: true });
  try {
    const app = new App({ outdir });
    build(app);
    const assembly = app.synth();
    const pending = [...assembly.stacks];
    const ordered: SynthesizedStack[] = [];
    while (pending.length > 0) {
      const next = pending.findIndex((a) => a.dependencies.every((d) => !pending.some((p) => p.id === d.id)));
      if (next < 0) throw new UnsupportedTemplate(`circular dependency among stacks ${pending.map((p) => p.stackName).join(', ')}`);
      const [artifact] = pending.splice(next, 1);
      ordered.push({ outdir, stackName: artifact.stackName, template: JSON.parse(fs.readFileSync(artifact.templateFullPath, 'utf8')) as CfnTemplate, remove: () => undefined });
    }
    const stack = (name: string) => ordered.find((s) => s.stackName === name) ?? (() => { throw new Error(`no stack ${name} in the app`); })();
    return { outdir, stacks: ordered, stack, remove };
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
  /**
   * The VPC without `gatewayEndpoints: { S3 }`: the connection's subnet has no route to S3.
   * `cdk synth` refuses it; acknowledged (as for a route added outside CDK), the deploy-time test meets it.
   */
  withoutS3Route(stack: ExampleStack): void {
    const vpc = stack.node.findChild('Vpc');
    if (!vpc.node.tryRemoveChild('S3')) throw new Error('the example app has no S3 gateway endpoint to remove');
    stack.connectionTest.acknowledgeNetworkChecks(NetworkCheck.S3_ROUTE);
  },
  /**
   * The security group without `addIngressRule(glueGroup, ec2.Port.allTcp())`. `cdk synth`
   * refuses it; acknowledged (as for a rule added outside CDK), the deploy-time test meets it.
   */
  withoutSelfReferencingRule(stack: ExampleStack): void {
    const rules = stack.node.findAll().filter((c) => c instanceof ec2.CfnSecurityGroupIngress);
    if (rules.length === 0) throw new Error('the example app has no security group ingress rule to remove');
    for (const rule of rules) rule.node.scope?.node.tryRemoveChild(rule.node.id);
    stack.connectionTest.acknowledgeNetworkChecks(NetworkCheck.SELF_REFERENCING_INGRESS);
  },
  /** The self-referencing rule narrowed to the database port: a change `cdk synth` refuses. */
  selfReferencingRuleOnePort(stack: ExampleStack): void {
    const rules = stack.node.findAll().filter((c): c is ec2.CfnSecurityGroupIngress => c instanceof ec2.CfnSecurityGroupIngress);
    if (rules.length === 0) throw new Error('the example app has no security group ingress rule to narrow');
    for (const rule of rules) {
      rule.fromPort = 5432;
      rule.toPort = 5432;
    }
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
  /**
   * What the example forgot, gated by one line: a second connection (`orders-replica`, the same
   * database at `replicaPort`) and a job that names it, with no GlueConnectionTest and no
   * gate(), and `Aspects.of(app).add(new GlueConnectionTestAspect())`.
   */
  forgottenReplicaGatedByAspect(replicaPort: number): (stack: ExampleStack) => void {
    return (stack) => {
      const orders = stack.node.findChild('OrdersDb') as glue.CfnConnection;
      const input = orders.connectionInput as glue.CfnConnection.ConnectionInputProperty;
      const properties = input.connectionProperties as Record<string, string>;
      new glue.CfnConnection(stack, 'OrdersReplica', {
        catalogId: orders.catalogId,
        connectionInput: {
          ...input,
          name: 'orders-replica',
          connectionProperties: { ...properties, JDBC_CONNECTION_URL: properties.JDBC_CONNECTION_URL.replace(/:\d+\//, `:${replicaPort}/`) },
        },
      });
      const etl = stack.node.findChild('OrdersEtl') as glue.CfnJob;
      new glue.CfnJob(stack, 'ReplicaEtl', {
        name: 'orders-replica-etl',
        role: etl.role,
        securityConfiguration: etl.securityConfiguration,
        glueVersion: etl.glueVersion,
        command: etl.command,
        workerType: etl.workerType,
        numberOfWorkers: etl.numberOfWorkers,
        connections: { connections: ['orders-replica'] },
      });
      Aspects.of(stack.node.root).add(new GlueConnectionTestAspect());
    };
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
  /** `Fn::ImportValue`: the value another stack exports under the name. */
  importValue?(name: string): string;
}

/** An intrinsic or template construct the simulation does not resolve. */
export class UnsupportedTemplate extends Error {
  public readonly name = 'UnsupportedTemplate';
}

/**
 * Resolves the intrinsics CloudFormation would resolve in `value`: Ref, Fn::GetAtt, Fn::Join,
 * Fn::Select, Fn::Split, Fn::Sub and Fn::GetAZs. Anything else that looks like an intrinsic (a
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
    case 'Fn::Sub': {
      const [source, variables] = typeof argument === 'string' ? [argument, {}] : list(argument, 'argument');
      const values = (variables ?? {}) as Record<string, unknown>;
      return text(source, 'template').replace(/\$\{([^}!][^}]*)\}/g, (_whole, name: string) => {
        if (name in values) return text(resolve(values[name], `[1].${name}`), `variable ${name}`);
        const [id, attribute] = name.split(/\.(.*)/s);
        if (attribute !== undefined) return context.getAtt(id, attribute);
        return id.startsWith('AWS::') ? context.pseudo[id] ?? fail(`of pseudo parameter ${id} is not simulated`) : context.ref(id);
      }).replace(/\$\{!/g, '${');
    }
    case 'Fn::ImportValue': {
      const exportName = text(resolve(argument, ''), 'export name');
      return context.importValue ? context.importValue(exportName) : fail('is not resolved here (no other stack is deployed)');
    }
    case 'Fn::GetAZs': {
      const region = text(resolve(argument, ''), 'region');
      if (region !== '' && region !== context.pseudo['AWS::Region']) fail(`of region ${region} is not simulated (only the stack's region)`);
      return [...context.availabilityZones];
    }
    default:
      return fail('is not resolved by the simulation (it resolves Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split, Fn::Sub, Fn::GetAZs and Fn::ImportValue)');
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
  'AWS::IAM::ManagedPolicy': 'permissions are not enforced by the local AWS',
  'AWS::Logs::LogGroup': 'the framework runner captures the Lambda logs itself',
  'AWS::Lambda::Function': 'the Provider framework runner stands in for both functions (framework and handler)',
  'AWS::EC2::FlowLog': 'flow logs observe traffic; they change nothing Glue checks',
  'AWS::KMS::Key': 'used only by resources that are not simulated',
  'AWS::Glue::SecurityConfiguration': 'used by the Glue job only',
  'AWS::Glue::Job': 'what a test gates: it is created only after the test passes, and not run here',
  'AWS::CDK::Metadata': 'CDK analytics, not a resource',
  'AWS::Events::Rule': 'a monitor\'s schedule: the test fires it itself (Deployment.runSchedule), with the input CloudFormation resolved',
  'AWS::Lambda::Permission': 'permissions are not enforced by the local AWS',
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
  /** ...except these, which are accepted and have no effect in the simulation (a change to one is an update that does nothing). */
  readonly ignored?: readonly string[];
  create(props: Record<string, unknown>, logicalId: string, clients: Clients): Promise<Created>;
  /** An update in place (no property of REPLACED_ON_CHANGE changed). Without it, such a change fails loudly. */
  update?(physicalId: string, props: Record<string, unknown>, old: Record<string, unknown>, clients: Clients): Promise<void>;
  /** Without it, the resource is left in the local AWS when it is deleted. */
  delete?(physicalId: string, props: Record<string, unknown>, clients: Clients): Promise<void>;
}

const idOf = (xml: XmlElement, element: string, field: string) => childText(child(xml, element), field) as string;
const str = (v: unknown) => String(v);

/** An ingress rule as AuthorizeSecurityGroupIngress and RevokeSecurityGroupIngress take it. */
function ingressRule(p: Record<string, unknown>): Record<string, string> {
  const rule: Record<string, string> = { GroupId: str(p.GroupId), 'IpPermissions.1.IpProtocol': str(p.IpProtocol) };
  if (p.FromPort !== undefined) rule['IpPermissions.1.FromPort'] = str(p.FromPort);
  if (p.ToPort !== undefined) rule['IpPermissions.1.ToPort'] = str(p.ToPort);
  if (p.SourceSecurityGroupId !== undefined) rule['IpPermissions.1.Groups.1.GroupId'] = str(p.SourceSecurityGroupId);
  if (p.CidrIp !== undefined) rule['IpPermissions.1.IpRanges.1.CidrIp'] = str(p.CidrIp);
  return rule;
}

const SIMULATED: Readonly<Record<string, Handler>> = {
  'AWS::EC2::VPC': {
    properties: ['CidrBlock'],
    ignored: ['EnableDnsHostnames', 'EnableDnsSupport', 'InstanceTenancy', 'Tags'],
    create: async (p, _id, { ec2: api }) => ({ physicalId: idOf(await api.call('CreateVpc', { CidrBlock: str(p.CidrBlock) }), 'vpc', 'vpcId') }),
    delete: async (id, _p, { ec2: api }) => void await api.call('DeleteVpc', { VpcId: id }),
  },
  'AWS::EC2::Subnet': {
    properties: ['VpcId', 'CidrBlock', 'AvailabilityZone'],
    ignored: ['MapPublicIpOnLaunch', 'Tags'],
    create: async (p, _id, { ec2: api }) => ({
      physicalId: idOf(await api.call('CreateSubnet', { VpcId: str(p.VpcId), CidrBlock: str(p.CidrBlock), AvailabilityZone: str(p.AvailabilityZone) }), 'subnet', 'subnetId'),
    }),
    delete: async (id, _p, { ec2: api }) => void await api.call('DeleteSubnet', { SubnetId: id }),
  },
  'AWS::EC2::RouteTable': {
    properties: ['VpcId'],
    ignored: ['Tags'],
    create: async (p, _id, { ec2: api }) => ({ physicalId: idOf(await api.call('CreateRouteTable', { VpcId: str(p.VpcId) }), 'routeTable', 'routeTableId') }),
    delete: async (id, _p, { ec2: api }) => void await api.call('DeleteRouteTable', { RouteTableId: id }),
  },
  'AWS::EC2::SubnetRouteTableAssociation': {
    properties: ['RouteTableId', 'SubnetId'],
    create: async (p, _id, { ec2: api }) => ({
      physicalId: childText(await api.call('AssociateRouteTable', { RouteTableId: str(p.RouteTableId), SubnetId: str(p.SubnetId) }), 'associationId') as string,
    }),
    delete: async (id, _p, { ec2: api }) => void await api.call('DisassociateRouteTable', { AssociationId: id }),
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
    async update(id, p, old, { ec2: api }) {
      const next = ((p.RouteTableIds ?? []) as unknown[]).map(str);
      const before = ((old.RouteTableIds ?? []) as unknown[]).map(str);
      const added = next.filter((t) => !before.includes(t)).map((t, i) => [`AddRouteTableId.${i + 1}`, t]);
      const removed = before.filter((t) => !next.includes(t)).map((t, i) => [`RemoveRouteTableId.${i + 1}`, t]);
      await api.call('ModifyVpcEndpoint', { VpcEndpointId: id, ...Object.fromEntries([...added, ...removed]) });
    },
    delete: async (id, _p, { ec2: api }) => void await api.call('DeleteVpcEndpoints', { 'VpcEndpointId.1': id }),
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
    delete: async (id, _p, { ec2: api }) => void await api.call('DeleteSecurityGroup', { GroupId: id }),
  },
  'AWS::EC2::SecurityGroupIngress': {
    properties: ['GroupId', 'IpProtocol', 'FromPort', 'ToPort', 'SourceSecurityGroupId', 'CidrIp'],
    ignored: ['Description'],
    async create(p, _id, { ec2: api }) {
      const xml = await api.call('AuthorizeSecurityGroupIngress', ingressRule(p));
      return { physicalId: childText(items(xml, 'securityGroupRuleSet')[0], 'securityGroupRuleId') ?? `sgr-${randomText(17).toLowerCase()}` };
    },
    delete: async (_id, p, { ec2: api }) => void await api.call('RevokeSecurityGroupIngress', ingressRule(p)),
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
    async delete(arn, _p, { secrets }) {
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
    async update(name, p, _old, { glue: api }) {
      const input = p.ConnectionInput as { Name: string };
      if (input.Name !== name) throw new UnsupportedTemplate(`Glue::Connection ${name}: a new Name (a rename, whose Ref changes) is not simulated`);
      await api.send(new UpdateConnectionCommand({ CatalogId: p.CatalogId as string | undefined, Name: name, ConnectionInput: input as never }));
    },
    async delete(name, _p, { glue: api }) {
      await api.send(new DeleteConnectionCommand({ ConnectionName: name })).catch((e: Error) => {
        if (e.name !== 'EntityNotFoundException') throw e;
      });
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Durations and replacements

/**
 * How long CloudFormation takes over one operation (create, update or delete) of a resource of
 * each type, in simulated seconds: [fastest, slowest]; each resource of a deployment gets a
 * duration in that range from the seed. AWS documents no durations: these are typical stack
 * event timings, widened so that every order the dependencies allow can occur. What matters
 * is their relation, which follows what users see: a gateway endpoint's route-table entries
 * and a security group rule's propagation ("a small delay might occur", the resource
 * reference says of rules) take longer than a Glue connection, which is a catalog entry;
 * IAM waits for eventual consistency; a connection test takes as long as Glue's
 * TestConnection (tens of seconds).
 */
export const DURATIONS: Readonly<Record<string, readonly [number, number]>> = {
  'AWS::EC2::VPC': [3, 15],
  'AWS::EC2::Subnet': [3, 10],
  'AWS::EC2::RouteTable': [2, 6],
  'AWS::EC2::SubnetRouteTableAssociation': [2, 8],
  'AWS::EC2::VPCEndpoint': [10, 90],
  'AWS::EC2::SecurityGroup': [3, 10],
  'AWS::EC2::SecurityGroupIngress': [5, 60],
  'AWS::SecretsManager::Secret': [2, 8],
  'AWS::Glue::Connection': [1, 4],
  'AWS::IAM::Role': [2, 20],
  'AWS::IAM::Policy': [2, 20],
  'AWS::IAM::ManagedPolicy': [2, 20],
  'AWS::Logs::LogGroup': [1, 3],
  'AWS::Lambda::Function': [2, 10],
  'AWS::EC2::FlowLog': [2, 10],
  'AWS::KMS::Key': [3, 30],
  'AWS::Glue::SecurityConfiguration': [1, 3],
  'AWS::Glue::Job': [1, 5],
  'AWS::CDK::Metadata': [0.1, 1],
  'AWS::Events::Rule': [1, 60],
  'AWS::Lambda::Permission': [1, 10],
  [RESOURCE_TYPE]: [5, 60],
};

/**
 * The properties whose change replaces the resource: "Update requires: Replacement" in
 * CloudFormation's resource reference (the registry schemas' createOnlyProperties, which
 * cfn-lint ships; test/sim/e2e/standin.test.ts checks this table against them). A change to any
 * other property is an update in place.
 */
export const REPLACED_ON_CHANGE: Readonly<Record<string, readonly string[]>> = {
  'AWS::EC2::VPC': ['CidrBlock', 'Ipv4IpamPoolId', 'Ipv4NetmaskLength'],
  'AWS::EC2::Subnet': ['VpcId', 'AvailabilityZone', 'AvailabilityZoneId', 'CidrBlock', 'OutpostArn', 'Ipv6Native', 'Ipv4IpamPoolId', 'Ipv4NetmaskLength',
    'Ipv6IpamPoolId', 'Ipv6NetmaskLength'],
  'AWS::EC2::RouteTable': ['VpcId'],
  'AWS::EC2::SubnetRouteTableAssociation': ['SubnetId', 'RouteTableId'],
  'AWS::EC2::VPCEndpoint': ['ServiceName', 'VpcEndpointType', 'VpcId', 'ServiceNetworkArn', 'ResourceConfigurationArn', 'ServiceRegion'],
  'AWS::EC2::SecurityGroup': ['GroupDescription', 'GroupName', 'VpcId'],
  'AWS::EC2::SecurityGroupIngress': ['GroupName', 'IpProtocol', 'SourceSecurityGroupId', 'SourcePrefixListId', 'ToPort', 'CidrIp', 'SourceSecurityGroupName',
    'SourceSecurityGroupOwnerId', 'FromPort', 'GroupId', 'CidrIpv6'],
  'AWS::SecretsManager::Secret': ['Name'],
  'AWS::Glue::Connection': ['CatalogId'],
  'AWS::IAM::Role': ['Path', 'RoleName'],
  'AWS::IAM::Policy': [],
  'AWS::IAM::ManagedPolicy': ['ManagedPolicyName', 'Description', 'Path'],
  'AWS::Logs::LogGroup': ['LogGroupName'],
  'AWS::Lambda::Function': ['FunctionName', 'PackageType', 'TenancyConfig'],
  'AWS::EC2::FlowLog': ['DeliverCrossAccountRole', 'DeliverLogsPermissionArn', 'LogGroupName', 'LogDestination', 'ResourceId', 'TrafficType', 'LogDestinationType',
    'ResourceType', 'LogFormat', 'MaxAggregationInterval', 'DestinationOptions'],
  'AWS::KMS::Key': [],
  'AWS::Glue::SecurityConfiguration': ['Name'],
  'AWS::Glue::Job': ['Name'],
  'AWS::Events::Rule': ['Name'],
  'AWS::Lambda::Permission': ['FunctionName', 'FunctionUrlAuthType', 'InvokedViaFunctionUrl', 'SourceAccount', 'SourceArn', 'Principal', 'PrincipalOrgID',
    'Action', 'EventSourceToken'],
};

/** A number in [0, 1) that depends only on the seed and the key. */
function seededFraction(seed: number, key: string): number {
  return createHash('sha256').update(`${seed}\0${key}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** The simulated seconds one operation takes for a seed: the same for the same resource and operation. */
export function simulatedDuration(seed: number, logicalId: string, type: string, action: Action): number {
  const [fastest, slowest] = DURATIONS[type] ?? [1, 10];
  return fastest + (slowest - fastest) * seededFraction(seed, `${logicalId}\0${action}`);
}

/** The resource types the simulation creates in the local AWS. */
export const SIMULATED_TYPES: readonly string[] = Object.keys(SIMULATED);

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

/** What CloudFormation does to one resource in a stack operation. */
export type Action = 'CREATE' | 'UPDATE' | 'DELETE';

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

/** One line of the stack's history, as CloudFormation's events show it (one per resource operation, when it completes). */
export interface StackEvent {
  readonly logicalId: string;
  readonly type: string;
  readonly status: ResourceStatus;
  /** Set on the events of a rollback. */
  readonly rollback?: true;
  /** Set on the deletions of a cleanup phase (after every update, or after an update's rollback). */
  readonly cleanup?: true;
  /** Set on an update that created a new physical resource (the old one is deleted in the cleanup phase). */
  readonly replacement?: true;
  readonly physicalId?: string;
  readonly reason?: string;
  /** When CloudFormation started the operation, in simulated seconds since the stack operation began. */
  readonly startedAt: number;
  /** When it completed, likewise. */
  readonly endedAt: number;
  /** The wall-clock milliseconds this machine spent on it. */
  readonly durationMs: number;
  /** The test's outcome, for a Custom::GlueConnectionTest. */
  readonly test?: TestOutcome;
}

/** The result of a stack operation (create, update, delete). */
export interface StackOperation {
  /**
   * The stack's final status: CREATE_COMPLETE, ROLLBACK_COMPLETE, UPDATE_COMPLETE,
   * UPDATE_ROLLBACK_COMPLETE, DELETE_COMPLETE; ROLLBACK_FAILED, UPDATE_ROLLBACK_FAILED or
   * DELETE_FAILED when a resource failed its rollback or delete (for a test, which the design
   * says must never happen).
   */
  readonly stackStatus: string;
  /** Every resource operation, in the order they completed (simulated time). */
  readonly events: readonly StackEvent[];
  /** The test events of the operation itself and of its cleanup phase, in order (not those of its rollback). */
  readonly tests: readonly TestOutcome[];
  /** The test events of the rollback, if the operation failed. */
  readonly rollback: readonly TestOutcome[];
  /** Resources of the template that were never created because a resource they wait for failed. */
  readonly neverCreated: readonly string[];
}

/**
 * The seed a Deployment uses unless told otherwise. Any seed does for an app whose tests wait
 * for their network path (the example app since #8); under this one, the example app as it
 * was before, whose test waited for its connection only, also happens to finish the S3
 * gateway endpoint and the self-referencing rule before the test starts (`planCreate` shows
 * it). The suites about ordering choose their seeds themselves.
 */
export const DEFAULT_SEED = 3;

export interface DeploymentOptions {
  /**
   * Called after CloudFormation creates each simulated resource: what happens outside the stack
   * at that moment (e.g. the database adopting the secret's password, as its rotation would).
   */
  readonly afterCreate?: (resource: { logicalId: string; type: string; physicalId: string }, deployment: Deployment) => Promise<void>;
  /** Decides every operation's simulated duration, so the order of independent resources: one seed, one order. Default DEFAULT_SEED. */
  readonly seed?: number;
}

/** What one firing of a monitor's schedule produced (Deployment.runSchedule). */
export interface ScheduledRun extends HandlerInvocation {
  /** The event EventBridge handed the handler: the rule's resolved Input. */
  readonly event: unknown;
  /** The EMF lines the handler wrote (its raw stdout lines), parsed. */
  readonly metrics: readonly Record<string, unknown>[];
  /** The requests the local AWS served during the run. */
  readonly awsRequests: readonly ServedRequest[];
}

/** A resource the stack has (a test's state is kept apart, in `tests`). */
interface Existing {
  readonly type: string;
  readonly physicalId: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** Simulated types: the resolved properties its handler reads. Others: the template's properties, each reference with the physical id it refers to. */
  properties: Record<string, unknown>;
  /** Simulated types: the template's ignored properties (JSON). Others: empty. */
  context: string;
  /** Whether it exists in the local AWS (SIMULATED), or only in the stack (NOT_SIMULATED). */
  readonly simulated: boolean;
}

/** Something a cleanup, rollback or stack deletion deletes. */
interface Doomed {
  readonly logicalId: string;
  /** A test: it gets its Delete with the physical id and properties it has. */
  readonly test?: true;
  readonly existing?: Existing;
}

/** What an update (or its rollback) did, for what comes after it. */
interface UpdateBook {
  /** Physical resources the operation took out of use (replaced, or given up in a rollback), by logical id. */
  readonly replaced: Map<string, Existing>;
  /** Logical ids the operation created. */
  readonly created: Set<string>;
  /** In a rollback: the old physical resources to go back to. */
  readonly restore?: ReadonlyMap<string, Existing>;
}

/** One resource's part in a stack operation, for the scheduler. */
interface Step {
  /** The logical id. */
  readonly key: string;
  /** The logical ids whose steps must be done before this one starts (ids without a step are ignored). */
  readonly after: readonly string[];
  /** Called at the step's simulated start: what CloudFormation does, or undefined when there is nothing to do (no event, no time). */
  begin(): Promise<Work | undefined>;
}

interface Work {
  readonly logicalId: string;
  readonly type: string;
  readonly action: Action;
  readonly replacement?: true;
  /** Called at the step's simulated end: applies the operation's effect (unless applied at the start) and says how it went. */
  finish(): Promise<WorkResult>;
}

interface WorkResult {
  readonly status: ResourceStatus;
  readonly physicalId?: string;
  readonly reason?: string;
  readonly test?: TestOutcome;
}

interface Schedule {
  readonly events: StackEvent[];
  /** The first failed operation, if any. */
  readonly failure?: StackEvent;
  /** The logical ids whose steps started. */
  readonly started: ReadonlySet<string>;
  /** The simulated clock when the last operation ended. */
  readonly clock: number;
}

/**
 * Runs steps as CloudFormation runs a stack operation: each starts as soon as every step it
 * waits for is done and ends after its simulated duration; ends are processed one at a time
 * in simulated-time order (ties in start order). With `cancelOnFailure` (create, update), a
 * failure stops new starts and the operations in progress end reported as cancelled; without
 * it (deletions, rollbacks), every step runs whatever fails.
 */
async function runSchedule(steps: readonly Step[], options: { seed: number; clock: number; cancelOnFailure: boolean; marks?: Pick<StackEvent, 'rollback' | 'cleanup'> }): Promise<Schedule> {
  const keys = new Set(steps.map((s) => s.key));
  const pending = [...steps];
  const done = new Set<string>();
  const started = new Set<string>();
  const active: { work: Work; key: string; startedAt: number; endsAt: number; order: number; beginMs: number }[] = [];
  const events: StackEvent[] = [];
  let failure: StackEvent | undefined;
  let clock = options.clock;
  let order = 0;
  for (;;) {
    for (let i = 0; i < pending.length;) {
      const step = pending[i];
      if ((failure && options.cancelOnFailure) || !step.after.every((k) => done.has(k) || !keys.has(k))) {
        i++;
        continue;
      }
      pending.splice(i, 1);
      started.add(step.key);
      const wall = Date.now();
      const work = await step.begin();
      if (work) {
        const endsAt = clock + simulatedDuration(options.seed, work.logicalId, work.type, work.action);
        active.push({ work, key: step.key, startedAt: clock, endsAt, order: order++, beginMs: Date.now() - wall });
      } else {
        done.add(step.key);
        i = 0;
      }
    }
    if (active.length === 0) break;
    active.sort((a, b) => a.endsAt - b.endsAt || a.order - b.order);
    const { work, key, startedAt, endsAt, beginMs } = active.shift()!;
    clock = endsAt;
    const wall = Date.now();
    let result: WorkResult;
    try {
      result = await work.finish();
    } catch (e) {
      if (e instanceof UnsupportedTemplate) throw e;
      result = { status: `${work.action}_FAILED`, reason: `${(e as Error).name}: ${(e as Error).message}` };
    }
    if (failure && options.cancelOnFailure && !result.status.endsWith('_FAILED') && work.action !== 'DELETE') {
      result = { ...result, status: `${work.action}_FAILED`, reason: `Resource ${work.action === 'CREATE' ? 'creation' : 'update'} cancelled` };
    }
    const event: StackEvent = {
      logicalId: work.logicalId, type: work.type, status: result.status, ...options.marks, ...(work.replacement && { replacement: true as const }),
      physicalId: result.physicalId, reason: result.reason, startedAt, endedAt: clock, durationMs: beginMs + Date.now() - wall, test: result.test,
    };
    events.push(event);
    if (!failure && event.status.endsWith('_FAILED')) failure = event;
    done.add(key);
  }
  if (pending.length > 0 && !(failure && options.cancelOnFailure)) throw new UnsupportedTemplate(`circular dependency among ${pending.map((s) => s.key).join(', ')}`);
  return { events, failure, started, clock };
}

/** The create steps of a template: each resource after what it depends on. */
function createSteps(template: CfnTemplate, begin: (logicalId: string) => Promise<Work | undefined>): Step[] {
  return Object.keys(template.Resources).map((id) => ({ key: id, after: [...dependenciesOf(template, id)], begin: () => begin(id) }));
}

/**
 * When each resource of a template starts and ends in a first deployment with this seed, if
 * every operation succeeds: the order a seed gives, without deploying anything (the same
 * schedule `createStack` runs).
 */
export async function planCreate(template: CfnTemplate, seed: number): Promise<Record<string, { startedAt: number; endedAt: number }>> {
  checkTemplate(template);
  const steps = createSteps(template, async (id) => ({
    logicalId: id, type: template.Resources[id].Type, action: 'CREATE', finish: async () => ({ status: 'CREATE_COMPLETE' }),
  }));
  const { events } = await runSchedule(steps, { seed, clock: 0, cancelOnFailure: true });
  return Object.fromEntries(events.map((e) => [e.logicalId, { startedAt: e.startedAt, endedAt: e.endedAt }]));
}

const testResult = (outcome: TestOutcome): WorkResult => ({ status: outcome.status, physicalId: outcome.physicalResourceId, reason: outcome.reason, test: outcome });
const testsOf = (events: readonly StackEvent[]): TestOutcome[] => events.flatMap((e) => (e.test ? [e.test] : []));

// ---------------------------------------------------------------------------------------------
// Exports and imports between the stacks of a simulation

/** What CloudFormation refuses about exports: a missing import, a name exported twice, an export in use changed or deleted. */
export class ExportError extends Error {
  public readonly name = 'ValidationError';
}

interface Exported {
  readonly value: string;
  readonly stackName: string;
  /** The stacks whose templates import it. */
  readonly importers: Set<string>;
}

/** The exports of one simulation's account and region, by name: one registry per Simulation, gone with it. */
const EXPORTS = new WeakMap<Simulation, Map<string, Exported>>();

function exportsOf(sim: Simulation): Map<string, Exported> {
  let registry = EXPORTS.get(sim);
  if (!registry) {
    registry = new Map();
    EXPORTS.set(sim, registry);
  }
  return registry;
}

/** The literal names a template's resources import (`Fn::ImportValue` of a string). */
function importedNames(template: CfnTemplate): Set<string> {
  const names = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'Fn::ImportValue' && typeof x === 'string') names.add(x);
        else walk(x);
      }
    }
  };
  for (const resource of Object.values(template.Resources)) walk(resource.Properties);
  return names;
}

/**
 * One stack, deployed to the simulation. Create it with `Deployment.create`; it keeps the
 * physical ids, so that `updateStack` and `deleteStack` act on what `createStack` made.
 */
export class Deployment {
  /** Creates the stack: every resource as soon as what it depends on is done, the tests included; rolls back when one fails. */
  public static async create(sim: Simulation, stack: SynthesizedStack, options: DeploymentOptions = {}): Promise<{ deployment: Deployment; operation: StackOperation }> {
    const deployment = Deployment.prepare(sim, stack, options);
    return { deployment, operation: await deployment.createStack() };
  }

  /** A stack not created yet: for `createStack`, or for sending test events one by one. */
  public static prepare(sim: Simulation, stack: SynthesizedStack, options: DeploymentOptions = {}): Deployment {
    return new Deployment(sim, stack, options);
  }

  public readonly stackId: string;
  /** The seed of every operation's simulated duration. */
  public readonly seed: number;
  /** Whether the stack exists (from createStack until a rolled-back create or a delete). */
  public exists = false;
  private readonly clients: Clients;
  private readonly deployed = new Map<string, Existing>();
  private readonly tests = new Map<string, { physicalId: string; properties: Record<string, unknown> }>();
  private frameworkSetup: { frameworkId: string; handlerId: string; runner: ProviderFramework } | undefined;

  private constructor(private readonly sim: Simulation, private stack: SynthesizedStack, private readonly options: DeploymentOptions) {
    this.stackId = `arn:aws:cloudformation:${sim.aws.region}:${sim.aws.accountId}:stack/${stack.stackName}/${randomUUID()}`;
    this.seed = options.seed ?? DEFAULT_SEED;
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
   * Fires a monitor's schedule, as EventBridge does: the rule (created by the last stack
   * operation) must have one target, the stack's test handler; its Input, resolved as
   * CloudFormation resolved it when it created the rule, is parsed as EventBridge parses it and
   * handed to the handler as an asynchronous invocation. DescribeStacks answers `stackStatus`
   * meanwhile (default CREATE_COMPLETE: a stack at rest).
   */
  public async runSchedule(ruleLogicalId: string, options: { stackStatus?: string } = {}): Promise<ScheduledRun> {
    const rule = this.stack.template.Resources[ruleLogicalId];
    if (rule?.Type !== 'AWS::Events::Rule' || !this.deployed.has(ruleLogicalId)) throw new Error(`${ruleLogicalId} is not a rule the stack has created`);
    const targets = (rule.Properties?.Targets ?? []) as { Arn?: unknown; Input?: unknown }[];
    if (targets.length !== 1) throw new UnsupportedTemplate(`${ruleLogicalId}: a monitor's rule has one target (got ${targets.length})`);
    const context = this.context();
    const arn = resolveIntrinsics(targets[0].Arn, context, `Resources.${ruleLogicalId}.Properties.Targets[0].Arn`);
    const framework = this.setUpFramework(this.stack.template).runner;
    if (arn !== framework.handlerArn) throw new UnsupportedTemplate(`${ruleLogicalId}: its target is not the stack's test handler (${String(arn)})`);
    const input = resolveIntrinsics(targets[0].Input, context, `Resources.${ruleLogicalId}.Properties.Targets[0].Input`);
    if (typeof input !== 'string') throw new UnsupportedTemplate(`${ruleLogicalId}: Input must resolve to a string of JSON`);
    const event = JSON.parse(input) as unknown;
    const before = this.sim.aws.requests.length;
    const invocation = await framework.invokeHandler(event, { stackId: this.stackId, stackStatus: options.stackStatus ?? 'CREATE_COMPLETE' });
    const metrics = invocation.logs.filter((l) => l.raw).map((l) => JSON.parse(l.text) as Record<string, unknown>);
    return { event, ...invocation, metrics, awsRequests: this.sim.aws.requests.slice(before) };
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

  /** CloudFormation's CreateStack; on a failure, the rollback deletes everything created, dependents first. */
  public async createStack(): Promise<StackOperation> {
    this.checkImports(this.stack.template);
    this.exists = true;
    const template = this.stack.template;
    const run = await runSchedule(createSteps(template, (id) => this.beginCreate(id, template, 'CREATE_IN_PROGRESS')), { seed: this.seed, clock: 0, cancelOnFailure: true });
    const tests = testsOf(run.events);
    if (!run.failure) {
      this.publishExports(template);
      return { stackStatus: 'CREATE_COMPLETE', events: run.events, tests, rollback: [], neverCreated: [] };
    }
    const rollback = await runSchedule(this.deletionSteps(this.everything(), template, 'ROLLBACK_IN_PROGRESS'), {
      seed: this.seed, clock: run.clock, cancelOnFailure: false, marks: { rollback: true },
    });
    this.exists = false;
    return {
      stackStatus: rollback.failure ? 'ROLLBACK_FAILED' : 'ROLLBACK_COMPLETE',
      events: [...run.events, ...rollback.events],
      tests,
      rollback: testsOf(rollback.events),
      neverCreated: dependentsOf(template, run.failure.logicalId).filter((id) => !run.started.has(id)),
    };
  }

  /**
   * CloudFormation's UpdateStack to `next`: every resource is created, updated in place,
   * replaced or left alone as its resolved properties say, as soon as what it depends on is
   * done; a test whose resolved properties changed gets an Update. Then the cleanup phase
   * deletes the removed resources and the old physical resources of replaced ones. When an
   * operation fails, the cleanup never runs: the stack goes back to the previous template
   * (tests whose properties changed get an Update during UPDATE_ROLLBACK_IN_PROGRESS) and what
   * the failed update created is deleted.
   */
  public async updateStack(next: SynthesizedStack): Promise<StackOperation> {
    checkTemplate(next.template);
    this.checkImports(next.template);
    const previous = this.stack;
    const book: UpdateBook = { replaced: new Map(), created: new Set() };
    const run = await runSchedule(createSteps(next.template, (id) => this.beginApply(id, next.template, 'UPDATE_IN_PROGRESS', book)), {
      seed: this.seed, clock: 0, cancelOnFailure: true,
    });
    if (!run.failure) {
      this.publishExports(next.template);
      this.stack = next;
      const removed = Object.keys(previous.template.Resources).filter((id) => !next.template.Resources[id]).flatMap((id) => this.doomed(id));
      const replaced = [...book.replaced].map(([logicalId, existing]) => ({ logicalId, existing }));
      const cleanup = await runSchedule(this.deletionSteps([...removed, ...replaced], previous.template, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'), {
        seed: this.seed, clock: run.clock, cancelOnFailure: false, marks: { cleanup: true },
      });
      const events = [...run.events, ...cleanup.events];
      return { stackStatus: 'UPDATE_COMPLETE', events, tests: testsOf(events), rollback: [], neverCreated: [] };
    }
    const back: UpdateBook = { replaced: new Map(), created: new Set(), restore: book.replaced };
    const rollback = await runSchedule(createSteps(previous.template, (id) => this.beginApply(id, previous.template, 'UPDATE_ROLLBACK_IN_PROGRESS', back)), {
      seed: this.seed, clock: run.clock, cancelOnFailure: false, marks: { rollback: true },
    });
    const created = [...book.created].filter((id) => !previous.template.Resources[id]).flatMap((id) => this.doomed(id));
    const givenUp = [...back.replaced].map(([logicalId, existing]) => ({ logicalId, existing }));
    const cleanup = await runSchedule(this.deletionSteps([...created, ...givenUp], next.template, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'), {
      seed: this.seed, clock: rollback.clock, cancelOnFailure: false, marks: { rollback: true, cleanup: true },
    });
    return {
      stackStatus: rollback.failure ? 'UPDATE_ROLLBACK_FAILED' : 'UPDATE_ROLLBACK_COMPLETE',
      events: [...run.events, ...rollback.events, ...cleanup.events],
      tests: testsOf(run.events),
      rollback: testsOf([...rollback.events, ...cleanup.events]),
      neverCreated: [],
    };
  }

  /** CloudFormation's DeleteStack: every resource after the resources that depend on it. */
  public async deleteStack(): Promise<StackOperation> {
    const registry = exportsOf(this.sim);
    for (const [name, exported] of registry) {
      const users = [...exported.importers].filter((s) => s !== this.stack.stackName);
      if (exported.stackName === this.stack.stackName && users.length > 0) {
        throw new ExportError(`Export ${name} cannot be deleted as it is in use by ${users.join(', ')}`);
      }
    }
    for (const [name, exported] of [...registry]) {
      if (exported.stackName === this.stack.stackName) registry.delete(name);
      exported.importers.delete(this.stack.stackName);
    }
    const run = await runSchedule(this.deletionSteps(this.everything(), this.stack.template, 'DELETE_IN_PROGRESS'), { seed: this.seed, clock: 0, cancelOnFailure: false });
    this.exists = false;
    return { stackStatus: run.failure ? 'DELETE_FAILED' : 'DELETE_COMPLETE', events: run.events, tests: testsOf(run.events), rollback: [], neverCreated: [] };
  }

  /** Removes what the stack left in the local AWS, without sending any event (test clean-up). */
  public async dispose(): Promise<void> {
    const registry = exportsOf(this.sim);
    for (const [name, exported] of [...registry]) {
      if (exported.stackName === this.stack.stackName) registry.delete(name);
      exported.importers.delete(this.stack.stackName);
    }
    for (const resource of [...this.deployed.values()].reverse()) {
      if (resource.simulated) await SIMULATED[resource.type].delete?.(resource.physicalId, resource.properties, this.clients).catch(() => undefined);
    }
    this.deployed.clear();
    this.tests.clear();
    this.exists = false;
    this.clients.glue.destroy();
    this.clients.secrets.destroy();
  }

  /** CloudFormation refuses a stack operation whose template imports a name no stack exports, before it starts. */
  private checkImports(template: CfnTemplate): void {
    const registry = exportsOf(this.sim);
    for (const name of importedNames(template)) {
      const exported = registry.get(name);
      if (!exported || exported.stackName === this.stack.stackName) throw new ExportError(`No export named ${name} found`);
    }
  }

  /**
   * After a create or update: the template's exports, resolved, replace the stack's previous
   * ones, as CloudFormation refuses: a name another stack exports; a changed or removed export
   * that another stack imports. The stack's own imports are recorded.
   */
  private publishExports(template: CfnTemplate): void {
    const registry = exportsOf(this.sim);
    const name = this.stack.stackName;
    const context = this.context(template);
    const next = new Map<string, string>();
    for (const [outputId, output] of Object.entries(template.Outputs ?? {})) {
      if (!output.Export) continue;
      const exportName = resolveIntrinsics(output.Export.Name, context, `Outputs.${outputId}.Export.Name`);
      const value = resolveIntrinsics(output.Value, context, `Outputs.${outputId}.Value`);
      if (typeof exportName !== 'string' || typeof value !== 'string') throw new UnsupportedTemplate(`Outputs.${outputId}: an export's name and value must resolve to strings`);
      const other = registry.get(exportName);
      if (other && other.stackName !== name) throw new ExportError(`Export with name ${exportName} is already exported by stack ${other.stackName}`);
      next.set(exportName, value);
    }
    for (const [exportName, exported] of registry) {
      if (exported.stackName !== name) continue;
      const users = [...exported.importers].filter((s) => s !== name);
      if (users.length > 0 && next.get(exportName) !== exported.value) {
        throw new ExportError(`Cannot ${next.has(exportName) ? 'update' : 'delete'} export ${exportName} as it is in use by ${users.join(', ')}`);
      }
    }
    for (const [exportName, exported] of [...registry]) if (exported.stackName === name && !next.has(exportName)) registry.delete(exportName);
    for (const [exportName, value] of next) registry.set(exportName, { value, stackName: name, importers: registry.get(exportName)?.importers ?? new Set() });
    const imported = importedNames(template);
    for (const [exportName, exported] of registry) {
      if (imported.has(exportName)) exported.importers.add(name);
      else exported.importers.delete(name);
    }
  }

  /** A create: a test's event runs now (its start); a resource is made at the end. */
  private async beginCreate(logicalId: string, template: CfnTemplate, stackStatus: string): Promise<Work> {
    const resource = template.Resources[logicalId];
    if (resource.Type === RESOURCE_TYPE) {
      const outcome = await this.sendTestEvent(logicalId, 'Create', { template, stackStatus });
      return { logicalId, type: RESOURCE_TYPE, action: 'CREATE', finish: async () => testResult(outcome) };
    }
    return {
      logicalId, type: resource.Type, action: 'CREATE',
      finish: async () => ({ status: 'CREATE_COMPLETE', physicalId: (await this.make(logicalId, resource, template)).physicalId }),
    };
  }

  /** What an update (or its rollback, with `book.restore`) does to one resource of `target`. */
  private async beginApply(logicalId: string, target: CfnTemplate, stackStatus: string, book: UpdateBook): Promise<Work | undefined> {
    const resource = target.Resources[logicalId];
    const type = resource.Type;
    if (type === RESOURCE_TYPE) {
      const current = this.tests.get(logicalId);
      if (!current) {
        book.created.add(logicalId);
        return this.beginCreate(logicalId, target, stackStatus);
      }
      if (sameJson(this.resolveTestProperties(logicalId, target), current.properties)) return undefined;
      const outcome = await this.sendTestEvent(logicalId, 'Update', { template: target, stackStatus });
      if (outcome.physicalResourceId !== undefined && outcome.physicalResourceId !== current.physicalId) {
        throw new UnsupportedTemplate(`${logicalId}: an Update answered with a new physical id (a replacement of the custom resource) is not simulated`);
      }
      return { logicalId, type, action: 'UPDATE', finish: async () => testResult(outcome) };
    }
    const current = this.deployed.get(logicalId);
    if (!current) {
      book.created.add(logicalId);
      return this.beginCreate(logicalId, target, stackStatus);
    }
    if (current.type !== type) throw new UnsupportedTemplate(`${logicalId}: changing a resource's type (${current.type} to ${type}) is not simulated`);
    const wanted = this.desiredState(logicalId, resource, target);
    const restore = book.restore?.get(logicalId);
    if (restore && sameJson(wanted.properties, restore.properties) && wanted.context === restore.context) {
      // Back to the physical resource the failed update replaced; the new one goes in the rollback's cleanup.
      return {
        logicalId, type, action: 'UPDATE',
        finish: async () => {
          book.replaced.set(logicalId, current);
          this.deployed.set(logicalId, restore);
          return { status: 'UPDATE_COMPLETE', physicalId: restore.physicalId };
        },
      };
    }
    if (sameJson(wanted.properties, current.properties) && wanted.context === current.context) return undefined;
    if (type === 'AWS::Lambda::Function') {
      // The runner keeps running the code and settings it started with.
      throw new UnsupportedTemplate(`${logicalId}: updating a Lambda function (new code or settings) is not simulated`);
    }
    const changed = [...new Set([...Object.keys(wanted.properties), ...Object.keys(current.properties)])].filter((k) => !sameJson(wanted.properties[k], current.properties[k]));
    if (changed.some((k) => (REPLACED_ON_CHANGE[type] ?? []).includes(k))) {
      return {
        logicalId, type, action: 'UPDATE', replacement: true,
        finish: async () => {
          const made = await this.make(logicalId, resource, target);
          book.replaced.set(logicalId, current);
          return { status: 'UPDATE_COMPLETE', physicalId: made.physicalId, reason: 'Requested update requires the creation of a new physical resource; hence creating one.' };
        },
      };
    }
    return {
      logicalId, type, action: 'UPDATE',
      finish: async () => {
        const handler = SIMULATED[type];
        if (current.simulated && changed.length > 0) {
          if (!handler.update) throw new UnsupportedTemplate(`${logicalId}: updating ${changed.join(', ')} of a ${type} in place is not simulated`);
          await handler.update(current.physicalId, wanted.properties, current.properties, this.clients);
        }
        current.properties = wanted.properties;
        current.context = wanted.context;
        return { status: 'UPDATE_COMPLETE', physicalId: current.physicalId };
      },
    };
  }

  /** A deletion takes effect at its start; a test's Delete runs then. */
  private async beginDelete(doomed: Doomed, stackStatus: string): Promise<Work> {
    const { logicalId, existing } = doomed;
    if (doomed.test) {
      const outcome = await this.sendTestEvent(logicalId, 'Delete', { stackStatus });
      return { logicalId, type: RESOURCE_TYPE, action: 'DELETE', finish: async () => testResult(outcome) };
    }
    const { type, physicalId, properties, simulated } = existing!;
    let reason: string | undefined;
    try {
      if (simulated) await SIMULATED[type].delete?.(physicalId, properties, this.clients);
      if (this.deployed.get(logicalId) === existing) this.deployed.delete(logicalId);
    } catch (e) {
      if (e instanceof UnsupportedTemplate) throw e;
      reason = `${(e as Error).name}: ${(e as Error).message}`;
    }
    return { logicalId, type, action: 'DELETE', finish: async () => ({ status: reason === undefined ? 'DELETE_COMPLETE' : 'DELETE_FAILED', physicalId, reason }) };
  }

  /** Deletion steps: each after the deletions of what depends on it in `template`. */
  private deletionSteps(doomed: readonly Doomed[], template: CfnTemplate, stackStatus: string): Step[] {
    const dependsOn = (a: string, b: string) => template.Resources[a] !== undefined && dependenciesOf(template, a).has(b);
    return doomed.map((d) => ({
      key: d.logicalId,
      after: doomed.filter((other) => dependsOn(other.logicalId, d.logicalId)).map((other) => other.logicalId),
      begin: () => this.beginDelete(d, stackStatus),
    }));
  }

  /** What the stack has under a logical id, as something to delete. */
  private doomed(logicalId: string): Doomed[] {
    if (this.tests.has(logicalId)) return [{ logicalId, test: true }];
    const existing = this.deployed.get(logicalId);
    return existing ? [{ logicalId, existing }] : [];
  }

  private everything(): Doomed[] {
    return Object.keys(this.stack.template.Resources).flatMap((id) => this.doomed(id));
  }

  /** Creates a resource (in the local AWS when simulated) and records it. */
  private async make(logicalId: string, resource: TemplateResource, template: CfnTemplate): Promise<Existing> {
    const { properties, context } = this.desiredState(logicalId, resource, template);
    const handler = SIMULATED[resource.Type];
    if (!handler) {
      const made: Existing = { type: resource.Type, physicalId: `${logicalId}-${randomText(12)}`, attributes: {}, properties, context, simulated: false };
      this.deployed.set(logicalId, made);
      return made;
    }
    const created = await handler.create(properties, logicalId, this.clients);
    const made: Existing = { type: resource.Type, physicalId: created.physicalId, attributes: created.attributes ?? {}, properties, context, simulated: true };
    this.deployed.set(logicalId, made);
    await this.options.afterCreate?.({ logicalId, type: resource.Type, physicalId: created.physicalId }, this);
    return made;
  }

  /** What a resource of `template` should be now: its properties, and what else decides whether it changed. */
  private desiredState(logicalId: string, resource: TemplateResource, template: CfnTemplate): { properties: Record<string, unknown>; context: string } {
    const handler = SIMULATED[resource.Type];
    if (handler) {
      const ignored = Object.entries(resource.Properties ?? {}).filter(([k]) => (handler.ignored ?? []).includes(k));
      return { properties: this.resolveProperties(logicalId, resource, handler, template), context: JSON.stringify(ignored) };
    }
    // Not resolved, but each reference carries the physical id it refers to now: a replaced resource changes the properties that refer to it.
    const identity = (id: string) => this.deployed.get(id)?.physicalId ?? this.tests.get(id)?.physicalId ?? null;
    const properties = JSON.parse(JSON.stringify(resource.Properties ?? {}), (_key, value: unknown) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
      const { Ref: ref, 'Fn::GetAtt': getAtt } = value as Record<string, unknown>;
      const target = typeof ref === 'string' && template.Resources[ref] ? ref : getAtt !== undefined ? (Array.isArray(getAtt) ? String(getAtt[0]) : String(getAtt).split('.')[0]) : undefined;
      return target === undefined ? value : { ...value, refersTo: identity(target) };
    }) as Record<string, unknown>;
    return { properties, context: '' };
  }

  private resolveProperties(logicalId: string, resource: TemplateResource, handler: Handler, template: CfnTemplate): Record<string, unknown> {
    const props = resource.Properties ?? {};
    const unknown = Object.keys(props).filter((k) => !handler.properties.includes(k) && !(handler.ignored ?? []).includes(k));
    if (unknown.length > 0) throw new UnsupportedTemplate(`${logicalId} (${resource.Type}): property ${unknown.join(', ')} is not simulated`);
    const known = Object.fromEntries(Object.entries(props).filter(([k]) => handler.properties.includes(k)));
    return resolveIntrinsics(known, this.context(template), `Resources.${logicalId}.Properties`) as Record<string, unknown>;
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
      importValue: (name) => {
        const exported = exportsOf(this.sim).get(name);
        // CloudFormation's wording (a stack operation that imports a name no stack exports fails).
        if (!exported) throw new ExportError(`No export named ${name} found`);
        exported.importers.add(this.stack.stackName);
        return exported.value;
      },
      ref: (logicalId) => {
        const deployed = this.deployed.get(logicalId);
        if (deployed?.simulated) return deployed.physicalId;
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
      throw new UnsupportedTemplate(`${logicalId}: resource type ${resource.Type} is unknown to the simulation; add it to SIMULATED or NOT_SIMULATED in sim/cloudformation.ts`);
    }
  }
}

/** The logical ids a resource waits for: DependsOn, and every Ref, Fn::GetAtt and Fn::Sub reference in its properties. */
function dependenciesOf(template: CfnTemplate, logicalId: string): Set<string> {
  const resource = template.Resources[logicalId];
  const found = new Set<string>(resource.DependsOn === undefined ? [] : ([] as string[]).concat(resource.DependsOn));
  for (const id of referencedIds(resource.Properties)) if (template.Resources[id]) found.add(id);
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

/**
 * `cdk deploy --all` on the simulation: every stack of the app, each after the stacks it
 * depends on (`synthesizeApp`'s order), created the first time and updated after; stops at the
 * first stack whose operation does not complete, as the CLI does. Returns each stack's operation.
 */
export class AppDeployment {
  public readonly deployments = new Map<string, Deployment>();

  constructor(private readonly sim: Simulation, private readonly options: (stackName: string) => DeploymentOptions = () => ({})) {}

  public async deploy(app: SynthesizedApp): Promise<{ stackName: string; operation: StackOperation }[]> {
    const results: { stackName: string; operation: StackOperation }[] = [];
    for (const stack of app.stacks) {
      const existing = this.deployments.get(stack.stackName);
      let operation: StackOperation;
      if (existing?.exists) {
        operation = await existing.updateStack(stack);
      } else {
        const deployment = Deployment.prepare(this.sim, stack, this.options(stack.stackName));
        this.deployments.set(stack.stackName, deployment);
        operation = await deployment.createStack();
      }
      results.push({ stackName: stack.stackName, operation });
      if (!/_COMPLETE$/.test(operation.stackStatus) || /ROLLBACK/.test(operation.stackStatus)) break;
    }
    return results;
  }

  /** The stack's deployment. */
  public of(stackName: string): Deployment {
    const deployment = this.deployments.get(stackName);
    if (!deployment) throw new Error(`stack ${stackName} was never deployed`);
    return deployment;
  }

  /** Removes what every stack left in the local AWS, dependents first (test clean-up). */
  public async dispose(): Promise<void> {
    for (const deployment of [...this.deployments.values()].reverse()) await deployment.dispose();
    this.deployments.clear();
  }
}

/** Creates the example stack (with the seed given, else DEFAULT_SEED); the database adopts the secret's password unless told otherwise. */
export function deployExampleApp(sim: Simulation, stack: SynthesizedStack, options: { databaseAdoptsSecret?: boolean; seed?: number } = {}): Promise<{ deployment: Deployment; operation: StackOperation }> {
  return Deployment.create(sim, stack, { afterCreate: options.databaseAdoptsSecret === false ? undefined : databaseAdoptsSecret(sim), seed: options.seed });
}

/** Settings of the two-stack example: where the database is, and what the network stack changes. */
export interface TwoStackExampleOptions {
  readonly databaseHost: string;
  readonly databasePort: number;
  /** An extra inbound rule on the Glue group for this CIDR (a change of the network stack only). */
  readonly extraIngressCidr?: string;
}

/**
 * The example app in the layout most real apps use: a network stack (the VPC with its S3
 * gateway endpoint, and the Glue security group with its self-referencing rule) and a data
 * stack (the secret, the connection on the network stack's subnet and group, its test), which
 * reaches the network stack through strong references (CDK's exports and `Fn::ImportValue`).
 */
export function synthesizeTwoStackExample(options: TwoStackExampleOptions): SynthesizedApp {
  return synthesizeApp((app) => {
    const network = new Stack(app, 'OrdersNetwork');
    const vpc = new ec2.Vpc(network, 'Vpc', {
      maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    const group = new ec2.SecurityGroup(network, 'GlueConnectionGroup', { vpc, description: 'Glue connection ENIs' });
    group.addIngressRule(group, ec2.Port.allTcp(), 'Glue workers talk to each other');
    if (options.extraIngressCidr) {
      new ec2.CfnSecurityGroupIngress(network, 'AdminIngress', {
        groupId: group.securityGroupId, ipProtocol: 'tcp', fromPort: options.databasePort, toPort: options.databasePort, cidrIp: options.extraIngressCidr,
      });
    }

    const data = new Stack(app, 'OrdersData');
    const credentials = new secretsmanager.Secret(data, 'OrdersDbCredentials', {
      generateSecretString: { secretStringTemplate: JSON.stringify({ username: 'orders_app' }), generateStringKey: 'password', excludePunctuation: true },
    });
    const subnet = vpc.isolatedSubnets[0];
    const connection = new glue.CfnConnection(data, 'OrdersDb', {
      catalogId: data.account,
      connectionInput: {
        name: 'orders-db', connectionType: 'JDBC',
        connectionProperties: { JDBC_CONNECTION_URL: `jdbc:postgresql://${options.databaseHost}:${options.databasePort}/orders`, SECRET_ID: credentials.secretName },
        physicalConnectionRequirements: { subnetId: subnet.subnetId, availabilityZone: subnet.availabilityZone, securityGroupIdList: [group.securityGroupId] },
      },
    });
    new GlueConnectionTest(data, 'OrdersDbTest', { connection });
  });
}
