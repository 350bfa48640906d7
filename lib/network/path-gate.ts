/**
 * Watches the tested connection's network path for one GlueConnectionTest (docs/decisions.md,
 * decision 9): once the app is final it finds the connection (the `connection` prop, or the
 * in-app connection of that name) and the resources of its path, and
 *
 * - makes the test's custom resource depend on each of them, so a first deployment tests the
 *   finished path whatever order CloudFormation creates the rest in;
 * - puts the path's deploy-time identity (Refs and GetAtts) and a digest of the path's
 *   definitions into the test's properties, so replacing or changing any of them sends the
 *   test an Update;
 * - grants the handler the secrets and key Glue reads through the connection (SECRET_ID,
 *   AuthenticationConfiguration), and warns of a password kept in the template;
 * - refuses at `cdk synth` a path that breaks one of Glue's network rules (`network-rules.ts`),
 *   since CloudFormation removes deleted and replaced resources only after the test has run.
 *
 * "Final" is an Aspect run after every mutating and default-priority Aspect, for dependencies
 * and grants (which must exist before synthesis), and the app's validation and template
 * rendering for the analysis, the identity and the digest.
 */
import { createHash } from 'crypto';
import { Annotations, AspectPriority, Aspects, CfnResource, IResolvable, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { NetworkPathIdentity } from '../contract/resource';
import { SECRET_CONNECTION_PROPERTY_KEYS } from '../contract/request';
import { DiscoveredPath, discoverPath, labelOf, PathRole } from './path-reader';
import { checkNetworkPath, NetworkCheck } from './rules';
import { definitionOf } from '../private/resource-definition';
import { grantPassRole } from '../construct/pass-role';
import { grantSecretValue } from '../request/secret-reference';

const CONNECTION_TYPE = 'AWS::Glue::Connection';
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
        return path && path.resources.length > 0 ? hash(path.resources.map((r) => [r.part.logicalId, r.part.definition])) : undefined;
      },
    });
  }

  /** Once, when the app is final: dependencies, grants and warnings. */
  private settle(): void {
    if (this.settled) return;
    const connection = this.findConnection(true);
    this.settled = { connection };
    if (!connection) return;
    const path = discoverPath(connection);
    this.settled.path = path;
    // The Ref to a `connection` already orders the test after it; a connection found by name has no Ref.
    if (!this.props.connection) this.props.resource().node.addDependency(connection);
    for (const { part } of path.resources) this.props.resource().node.addDependency(part.resource);
    this.grant(connection, path);
    this.warnOfPlainTextPassword(connection);
  }

  /**
   * The tested connection: the `connection` prop, or the one connection of the app whose name is
   * `connectionName` (in the same catalog). Several of that name: a warning, and none.
   */
  private findConnection(warn: boolean): CfnResource | undefined {
    if (this.props.connection) return this.props.connection;
    const name = this.props.connectionName;
    if (name === undefined || Token.isUnresolved(name)) return undefined;
    const own = Stack.of(this.scope);
    const matches = this.scope.node.root.node.findAll()
      .filter((c): c is CfnResource => CfnResource.isCfnResource(c) && c.cfnResourceType === CONNECTION_TYPE)
      .filter((c) => {
        const definition = definitionOf(c).properties;
        const input = definition.connectionInput as { name?: unknown } | undefined;
        if (input?.name !== name) return false;
        // The same catalog: a connection without CatalogId is in its stack's account's.
        const theirs = catalogOf(definition.catalogId, Stack.of(c));
        const mine = catalogOf(own.resolve(this.props.catalogId), own);
        return theirs === mine;
      });
    if (matches.length > 1 && warn) {
      Annotations.of(this.scope).addWarningV2('cdk-glue-connection-test:ambiguousConnectionName',
        `connectionName "${name}" names ${matches.length} connections of this app (${matches.map(labelOf).join(', ')}), so the test waits for none of them `
        + 'and watches none of their network paths. Pass the one to test as `connection` instead.');
    }
    return matches.length === 1 ? matches[0] : undefined;
  }

  /**
   * Glue reads the secrets named by SECRET_ID and SecretArn, and the KmsKeyArn, with the caller's permissions;
   * and TestConnection passes the ROLE_ARN to Glue.
   */
  private grant(connection: CfnResource, path: DiscoveredPath): void {
    const own = Stack.of(this.scope);
    const sameStack = Stack.of(connection) === own;
    for (const secret of path.secrets) {
      const construct = secret.resource?.node.scope;
      const secretConstruct = construct && construct.node.defaultChild === secret.resource
        ? construct as Partial<{ secretArn: string }> : undefined;
      const id = typeof secretConstruct?.secretArn === 'string' ? secretConstruct.secretArn
        : typeof secret.value === 'string' ? secret.value
          : sameStack ? Token.asString(secret.value) : undefined;
      if (id !== undefined && id !== '') grantSecretValue(this.scope, this.props.grantee, id);
    }
    const key = path.kmsKeyArn;
    const keyArn = typeof key === 'string' ? key : key !== undefined && sameStack ? Token.asString(key) : undefined;
    if (keyArn) this.props.grantee.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [keyArn] }));
    // TestConnection passes the connection's ROLE_ARN to Glue (iam:PassRole, its dependent action).
    const properties = (definitionOf(connection).properties.connectionInput as { connectionProperties?: Record<string, unknown> } | undefined)?.connectionProperties;
    const roleArn = properties?.ROLE_ARN;
    if (typeof roleArn === 'string' && (sameStack || !Token.isUnresolved(roleArn))) grantPassRole(this.props.grantee, roleArn);
    else if (roleArn !== undefined && roleArn !== null && typeof roleArn === 'object' && sameStack) grantPassRole(this.props.grantee, Token.asString(roleArn));
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
    const path = discoverPath(connection);
    this.final = path;
    const waited = new Set(this.settled?.path?.resources.map((r) => r.part.resource));
    const resource = this.props.resource();
    for (const { part } of path.resources) {
      if (waited.has(part.resource)) continue;
      // Construct dependencies became DependsOn before validation; a late one goes to the resource itself
      // (addResourceDependency where this aws-cdk-lib has it; the peer floor, 2.183, has addDependency only).
      const newer = resource as CfnResourceWithResourceDependency;
      if (typeof newer.addResourceDependency === 'function') newer.addResourceDependency(part.resource);
      else resource.addDependency(part.resource);
    }
    const verdict = checkNetworkPath(path.model, this.props.acknowledged());
    return verdict.findings.map((f) => `${f.problem}. Fix: ${f.fix}. (Glue network check ${f.check}; for a path completed outside CDK, `
      + `acknowledge it with acknowledgedNetworkChecks: [NetworkCheck.${f.check}].)`);
  }
}

/** A CfnResource of an aws-cdk-lib release that has `addResourceDependency` (newer than the peer floor). */
type CfnResourceWithResourceDependency = CfnResource & { addResourceDependency?: (target: CfnResource) => void };

/** A resolved CatalogId as a comparable string: the account of the stack where it is absent or the stack's account. */
function catalogOf(resolved: unknown, stack: Stack): string {
  const account = JSON.stringify(stack.resolve(stack.account));
  const value = resolved === undefined ? account : JSON.stringify(resolved);
  return value === JSON.stringify({ Ref: 'AWS::AccountId' }) ? account : value;
}

/** SHA-256 of a stable rendering, 32 hex characters. */
function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);
}

