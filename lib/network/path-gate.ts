/**
 * Watches the tested connection's network path for one GlueConnectionTest (docs/decisions.md,
 * decision 9): once the app is final it finds the connection (the `connection` prop, or the
 * in-app connection of that name) and the resources of its path, and
 *
 * - makes the test's custom resource depend on each of them, so a first deployment tests the
 *   finished path whatever order CloudFormation creates the rest in; a part in another stack of
 *   the app makes the test's stack depend on that stack (see `orderAfter`);
 * - puts the path's deploy-time identity (Refs and GetAtts) and a digest of the path's
 *   definitions into the test's properties, so replacing or changing any of them sends the
 *   test an Update;
 * - grants the handler the secrets and key Glue reads through the connection (SECRET_ID,
 *   AuthenticationConfiguration), and warns of a password kept in the template;
 * - refuses at `cdk synth` a path that breaks one of Glue's network rules (`rules.ts`),
 *   since CloudFormation removes deleted and replaced resources only after the test has run.
 *
 * "Final" is an Aspect run after every mutating and default-priority Aspect, for dependencies
 * and grants (which must exist before synthesis), and the app's validation and template
 * rendering for the analysis, the identity and the digest. The path is found wherever the app
 * defines it (`app-index.ts`): the connection's stack, a sibling stack, a nested stack.
 */
import { createHash } from 'crypto';
import { Annotations, AspectPriority, Aspects, CfnResource, IResolvable, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct, IConstruct } from 'constructs';
import { NetworkPathIdentity } from '../contract/resource';
import { SECRET_CONNECTION_PROPERTY_KEYS } from '../contract/request';
import { AppIndex } from './app-index';
import { DiscoveredPath, discoverPath, labelOf, PathRole } from './path-reader';
import { checkNetworkPath, NetworkCheck } from './rules';
import { findConnectionsByName } from '../private/connection-references';
import { definitionOf } from '../private/resource-definition';
import { grantPassRole } from '../construct/pass-role';
import { grantSecretValue } from '../request/secret-reference';

/** After mutating and default Aspects (users' overrides), before read-only ones (cdk-nag), which then see the grants. */
const PATH_ASPECT_PRIORITY = AspectPriority.READONLY - 1;

/** What the gate needs of its test. */
export interface PathGateProps {
  /** The custom resource that runs the test (made after the gate, whose values are among its properties). */
  readonly resource: () => CfnResource;
  /** The `connection` prop's CfnConnection. */
  readonly connection?: CfnResource;
  /** The `connectionName` prop, when the test names its connection. */
  readonly connectionName?: string;
  /** The `catalogId` prop. */
  readonly catalogId?: string;
  /** The role that runs the test. */
  readonly grantee: iam.IRole;
  /** Checks the user switched off. */
  readonly acknowledged: () => readonly NetworkCheck[];
}

/** The path watch of one test. */
export class PathGate {
  /** "true" or "false" by whether the test has an in-app connection (the default of waitForReady). */
  public readonly waitForReady: string;
  /** A digest of the connection's definition, or nothing for a test without an in-app connection. */
  public readonly connectionFingerprint: string;
  /** The path's deploy-time identity (NetworkPath), or nothing. */
  public readonly identity: IResolvable;
  /** A digest of the path resources' definitions (NetworkPathDigest), or nothing. */
  public readonly digest: string;

  /** What the Aspect found: the connection, and the path the dependencies and grants were made for. */
  private settled?: { connection?: CfnResource; path?: DiscoveredPath };
  /** The path at validation, after every Aspect and override: the analysis and the template read it. */
  private final?: DiscoveredPath;
  /** Whether the note of the checks not made at synth was given (validation runs once per synth). */
  private noted = false;
  /** Whether the note of the rules left out was given. */
  private notedLeftOut = false;
  /** The network warnings already given (validation may run more than once). */
  private readonly warned = new Set<string>();

  constructor(private readonly scope: Construct, private readonly props: PathGateProps) {
    Aspects.of(scope).add({ visit: (node) => { if (node === scope) this.settle(); } }, { priority: PATH_ASPECT_PRIORITY });
    scope.node.addValidation({ validate: () => this.analyse() });
    const connection = () => (this.settled ? this.settled.connection : this.findConnection(false));
    this.waitForReady = Lazy.uncachedString({ produce: () => String(connection() !== undefined) });
    this.connectionFingerprint = Lazy.uncachedString({
      produce: () => {
        const c = connection();
        return c ? hash([[Stack.of(c).resolve(c.logicalId), definitionOf(c)]]) : undefined;
      },
    });
    this.identity = Lazy.uncachedAny({ produce: () => this.renderIdentity(connection()) }, { omitEmptyArray: true });
    this.digest = Lazy.uncachedString({
      produce: () => {
        const path = this.pathOf(connection());
        return path && path.resources.length > 0 ? hash(path.resources.map((r) => [r.part.key, r.part.definition])) : undefined;
      },
    });
  }

  /** Once, when the app is final: dependencies, grants and warnings. */
  private settle(): void {
    if (this.settled) return;
    const connection = this.findConnection(true);
    this.settled = { connection };
    if (!connection) return;
    const index = new AppIndex(connection);
    const path = discoverPath(connection, index);
    this.settled.path = path;
    // The Ref to a `connection` already orders the test after it; a connection found by name has no Ref.
    if (!this.props.connection) this.waitFor(connection);
    for (const { part } of path.resources) this.waitFor(part.resource);
    this.grant(connection, path, index);
    this.warnOfPlainTextPassword(connection);
  }

  /**
   * Makes the test wait for a resource of its own stack (DependsOn), or of a nested stack in or
   * around it (CDK puts the dependency on the nested stack's resource, before it renders the
   * nested templates). A resource of another top-level stack is ordered at validation: see
   * {@link PathGate.orderAfter}.
   */
  private waitFor(resource: CfnResource): void {
    if (topStackOf(resource) === topStackOf(this.scope)) this.props.resource().node.addDependency(resource);
  }

  /**
   * The deploy order for a path in another top-level stack of the app: the test's stack depends
   * on that stack, so `cdk deploy` deploys the path first, and a change to it deploys before the
   * test's stack, whose NetworkPathDigest then changed. A strong reference (the `Fn::ImportValue`
   * CDK makes) has made that dependency already; a weak one (`Fn.importValue` of an export the
   * app creates, `Fn::GetStackOutput`), and a part the connection does not name itself (a route,
   * a rule), need this one. It is added at validation, once CDK has added every reference's own
   * dependency, so that a cycle is told as one: when the path's stack depends on the test's
   * stack, the path would deploy after the test, which could pass before its path exists; the
   * test is refused.
   */
  private orderAfter(parts: readonly CfnResource[]): string[] {
    const own = topStackOf(this.scope);
    const errors: string[] = [];
    const stacks = new Map<Stack, CfnResource>();
    for (const part of parts) {
      const stack = topStackOf(part);
      if (stack !== own && !stacks.has(stack)) stacks.set(stack, part);
    }
    for (const [stack, part] of stacks) {
      if (dependsOn(stack, own)) {
        errors.push(`the tested connection's network path is in stack ${stack.node.path} (${labelOf(part)}), which depends on this test's stack `
          + `${own.node.path}: it would deploy after the test, which could pass before its path exists. Put the test in a stack that depends on both `
          + `(for example the stack of the jobs it gates), or remove what ${stack.node.path} takes from ${own.node.path}.`);
      } else if (!own.dependencies.includes(stack)) {
        own.addDependency(stack, `the Glue connection test ${this.scope.node.path} waits for its network path (${labelOf(part)})`);
      }
    }
    return errors;
  }

  /**
   * The tested connection: the `connection` prop, or the one connection of the app whose name is
   * `connectionName` in the test's account, region and catalog. Several of that name: a warning, and none.
   */
  private findConnection(warn: boolean): CfnResource | undefined {
    if (this.props.connection) return this.props.connection;
    const name = this.props.connectionName;
    if (name === undefined || Token.isUnresolved(name)) return undefined;
    const matches = findConnectionsByName(this.scope, name, this.props.catalogId);
    if (matches.length > 1 && warn) {
      Annotations.of(this.scope).addWarningV2('cdk-glue-connection-test:ambiguousConnectionName',
        `connectionName "${name}" names ${matches.length} connections of this app (${matches.map(labelOf).join(', ')}), so the test waits for none of them `
        + 'and watches none of their network paths. Pass the one to test as `connection` instead.');
    }
    return matches.length === 1 ? matches[0] : undefined;
  }

  /**
   * Glue reads the secrets named by SECRET_ID and SecretArn, and the KmsKeyArn, with the caller's permissions;
   * and TestConnection passes the ROLE_ARN to Glue. Each is granted by what it means in the test's
   * stack: an in-app resource by its own token (CDK makes the reference across stacks).
   */
  private grant(connection: CfnResource, path: DiscoveredPath, index: AppIndex): void {
    const own = Stack.of(this.scope);
    const holder = Stack.of(connection);
    for (const secret of path.secrets) {
      const construct = secret.resource?.node.scope;
      const secretConstruct = construct && construct.node.defaultChild === secret.resource
        ? construct as Partial<{ secretArn: string }> : undefined;
      const id = typeof secretConstruct?.secretArn === 'string' ? secretConstruct.secretArn : index.portable(secret.value, holder, own);
      if (id !== undefined && id !== '') grantSecretValue(this.scope, this.props.grantee, id);
    }
    const keyArn = path.kmsKeyArn !== undefined ? index.portable(path.kmsKeyArn, holder, own) : undefined;
    if (keyArn) this.props.grantee.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [keyArn] }));
    // TestConnection passes the connection's ROLE_ARN to Glue (iam:PassRole, its dependent action).
    const input = index.read(connection).definition.properties.connectionInput as { connectionProperties?: Record<string, unknown> } | undefined;
    const roleArn = input?.connectionProperties?.ROLE_ARN;
    const role = roleArn !== undefined ? index.portable(roleArn, holder, own) : undefined;
    if (role !== undefined) grantPassRole(this.props.grantee, role);
  }

  /** Warns when the tested connection keeps a password in the template. */
  private warnOfPlainTextPassword(connection: CfnResource): void {
    const input = definitionOf(connection).properties.connectionInput as { connectionProperties?: unknown } | undefined;
    const props = input?.connectionProperties;
    if (props === null || typeof props !== 'object' || Array.isArray(props)) return;
    const plain = SECRET_CONNECTION_PROPERTY_KEYS.filter((key) => {
      const value = (props as Record<string, unknown>)[key];
      return value !== undefined && !JSON.stringify(value).includes('{{resolve:');
    });
    if (plain.length === 0) return;
    Annotations.of(this.scope).addWarningV2('cdk-glue-connection-test:plainTextPassword',
      `connection ${labelOf(connection)} keeps ${plain.join(', ')} as plain text in its ConnectionProperties, where the template, `
      + 'DescribeStacks and every reader of the template can see it. Store USERNAME and PASSWORD in a Secrets Manager secret '
      + '(JSON keys "username" and "password") and set ConnectionProperties.SECRET_ID to the secret\'s name or ARN instead.');
  }

  /** The path's deploy-time identity: Refs and GetAtts of its resources in the test's stack. */
  private renderIdentity(connection: CfnResource | undefined): NetworkPathIdentity | undefined {
    if (!connection) return undefined;
    const own = Stack.of(this.scope);
    const identity: Record<string, string | string[]> = {};
    for (const { part, role } of this.pathOf(connection)!.resources) {
      // Another stack's resource would need an export per resource; its definition is in the digest.
      if (role === PathRole.PART || Stack.of(part.resource) !== own) continue;
      const type = part.resource.cfnResourceType;
      const id = type === 'AWS::EC2::SecurityGroup' ? Token.asString(part.resource.getAtt('GroupId')) : part.resource.ref;
      if (role.endsWith('Ids') || role.endsWith('Arns')) {
        const list = (identity[role] as string[] | undefined) ?? [];
        if (!list.includes(id)) list.push(id);
        identity[role] = list;
      } else {
        identity[role] = id;
      }
    }
    return Object.keys(identity).length > 0 ? identity as NetworkPathIdentity : undefined;
  }

  /** The path as validation found it, or as it is now when read before (prepare time, an early `Stack.resolve`). */
  private pathOf(connection: CfnResource | undefined): DiscoveredPath | undefined {
    if (!connection) return undefined;
    return this.final ?? discoverPath(connection);
  }

  /**
   * The synth-time analysis, on the path as it is at validation: one error per definite
   * violation of Glue's rules. An Aspect that ran after the gate's own (on a construct later in
   * the tree) may have added to the path; the test waits for what it added too.
   */
  private analyse(): string[] {
    const connection = this.settled ? this.settled.connection : this.findConnection(false);
    if (!connection) return [];
    const own = topStackOf(this.scope);
    const path = discoverPath(connection, undefined, (r) => topStackOf(r) !== own && dependsOn(topStackOf(r), own));
    this.final = path;
    this.noteLeftOut(path);
    const waited = new Set(this.settled?.path?.resources.map((r) => r.part.resource));
    const resource = this.props.resource();
    for (const { part } of path.resources) {
      if (waited.has(part.resource) || topStackOf(part.resource) !== topStackOf(this.scope)) continue;
      // Construct dependencies became DependsOn before validation; a late one goes to the resource itself
      // (addResourceDependency where this aws-cdk-lib has it; the peer floor, 2.183, has addDependency only).
      const newer = resource as CfnResourceWithResourceDependency;
      if (typeof newer.addResourceDependency === 'function') newer.addResourceDependency(part.resource);
      else resource.addDependency(part.resource);
    }
    const errors = this.orderAfter([...this.props.connection ? [] : [connection], ...path.resources.map((r) => r.part.resource)]);
    const verdict = checkNetworkPath(path.model, this.props.acknowledged());
    // Documented requirements the gate cannot be sure of: a warning each, once, never a refusal.
    for (const warning of verdict.warnings) {
      if (this.warned.has(warning.id)) continue;
      this.warned.add(warning.id);
      Annotations.of(this.scope).addWarningV2(`cdk-glue-connection-test:${warning.id}`, `${warning.message}.`);
    }
    this.noteSkipped(connection, path, verdict.undecidable);
    return [...errors, ...verdict.findings.map((f) => `${f.problem}. Fix: ${f.fix}. (Glue network check ${f.check}; for a path completed outside CDK, `
      + `acknowledge it with acknowledgedNetworkChecks: [NetworkCheck.${f.check}].)`)];
  }

  /**
   * One info note on the test naming the security-group rules of stacks that deploy after the
   * test's stack (they depend on it, as aws-cdk-lib makes the stack of `fn.connections.allowTo(db)`
   * depend on the database's): not waited for, not in the digest, and not counted by the
   * analysis (see `discoverPath`). Such a layout is normal, so no warning.
   */
  private noteLeftOut(path: DiscoveredPath): void {
    if (this.notedLeftOut || path.leftOut.length === 0) return;
    this.notedLeftOut = true;
    Annotations.of(this.scope).addInfo(`security-group rules of the tested connection's network path that stacks deploying after this test add `
      + `(${path.leftOut.map((r) => labelOf(r.resource)).join(', ')}) deploy after this test: the test does not wait for them, `
      + 'their changes do not re-run it, and the synth-time checks do not count them.');
  }

  /**
   * One info note on the test when part of the path is outside the app (an imported or looked-up
   * subnet or security group, a parameter, another app's export) and checks could therefore not
   * be made at synth: which, and why. The deploy-time test still makes them (Glue's own checks,
   * and the handler's inspection on failure). No warning: such a path is normal.
   */
  private noteSkipped(connection: CfnResource, path: DiscoveredPath, undecidable: readonly NetworkCheck[]): void {
    if (this.noted || undecidable.length === 0) return;
    const input = definitionOf(connection).properties.connectionInput as { physicalConnectionRequirements?: Record<string, unknown> } | undefined;
    const requirements = input?.physicalConnectionRequirements;
    const outside: string[] = [];
    if (requirements?.subnetId !== undefined && !path.resources.some((r) => r.role === PathRole.SUBNET)) outside.push(`its subnet (${describeOutside(requirements.subnetId)})`);
    const groups = path.model.securityGroups?.items.filter((g) => g.ingress === undefined && g.egress === undefined) ?? [];
    if (groups.length > 0) outside.push(`${groups.length === 1 ? 'a security group' : `${groups.length} security groups`} (${groups.map((g) => g.label).join(', ')})`);
    if (outside.length === 0) return;
    this.noted = true;
    Annotations.of(this.scope).addInfo(`Glue network checks not made at synth: ${undecidable.join(', ')}. The tested connection's path has parts defined outside `
      + `this app: ${outside.join('; ')} (imported, looked up, a parameter or another app's export), whose definitions cdk synth cannot read. `
      + 'The deploy-time test still covers them.');
  }
}

/** The top-level stack of a construct: its stack, or the stack its nested stacks are in. */
function topStackOf(scope: IConstruct): Stack {
  let stack = Stack.of(scope);
  while (stack.nestedStackParent) stack = stack.nestedStackParent;
  return stack;
}

/** Whether `stack` depends on `other`, directly or through other stacks. */
function dependsOn(stack: Stack, other: Stack, seen = new Set<Stack>()): boolean {
  if (seen.has(stack)) return false;
  seen.add(stack);
  return stack.dependencies.some((d) => d === other || dependsOn(d, other, seen));
}

/** A value of the connection's definition that names something outside the app, as a note shows it. */
function describeOutside(value: unknown): string {
  if (typeof value === 'string') return value;
  const o = value as Record<string, unknown> | null;
  if (o && typeof o === 'object' && typeof o['Fn::ImportValue'] === 'string') return `the export ${o['Fn::ImportValue']}`;
  if (o && typeof o === 'object' && typeof o.Ref === 'string') return `parameter ${o.Ref}`;
  return 'a value known at deploy time';
}

/** A CfnResource of an aws-cdk-lib release that has `addResourceDependency` (newer than the peer floor). */
type CfnResourceWithResourceDependency = CfnResource & { addResourceDependency?: (target: CfnResource) => void };

/** SHA-256 of a stable rendering, 32 hex characters. */
function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);
}

