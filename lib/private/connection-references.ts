/**
 * Where a Glue resource names a Glue connection, and what each of those places holds: the
 * reading half of GlueConnectionTestAspect. Internal: nothing here is exported from the package.
 *
 * Definitions are read through public means: the L1 classes' typed properties, resolved with
 * `Tokenization.resolve` and a token resolver that recognises a `Ref` to a `CfnConnection`
 * before it becomes a logical ID (so a Ref across stacks still names its construct). The one
 * exception is `propertyOverrides` (resource-definition.ts), which reads a resource's
 * escape-hatch overrides: aws-cdk-lib has no public accessor for them.
 */
import {
  CfnResource, DefaultTokenResolver, IFragmentConcatenator, IPostProcessor, IResolvable, IResolveContext, Reference,
  Stack, Token, Tokenization,
} from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import { IConstruct } from 'constructs';
import { isIntrinsic, isPlainObject, mergeOverride } from './cfn-values';
import { assemblyDescendants, assemblyOf } from './assembly';
import { propertyOverrides } from './resource-definition';

/** One place of a resource type's schema that names a connection. */
interface ConnectionField {
  /** What a person calls the resource, for messages. */
  readonly kind: string;
  /** CloudFormation property paths; `*` stands for every element of a list. */
  readonly paths: readonly string[];
}

/**
 * Every Glue resource type of the installed aws-cdk-lib whose CloudFormation schema names a
 * connection (checked against `aws-glue`'s L1 classes of aws-cdk-lib 2.276.0). Left out on
 * purpose: `AWS::Glue::DevEndpoint` (names a subnet and security groups, no connection) and
 * `AWS::Glue::Integration` (its SourceArn may be a connection's ARN or any other source's; it is
 * not read, see README).
 */
export const CONNECTION_FIELDS: Readonly<Record<string, ConnectionField>> = {
  'AWS::Glue::Job': { kind: 'Glue job', paths: ['Connections.Connections.*'] },
  'AWS::Glue::Session': { kind: 'Glue interactive session', paths: ['Connections.Connections.*'] },
  'AWS::Glue::Crawler': {
    kind: 'Glue crawler',
    paths: ['S3Targets', 'JdbcTargets', 'MongoDBTargets', 'CatalogTargets', 'DeltaTargets', 'IcebergTargets', 'HudiTargets']
      .map((target) => `Targets.${target}.*.ConnectionName`),
  },
  'AWS::Glue::Database': { kind: 'Glue federated database', paths: ['DatabaseInput.FederatedDatabase.ConnectionName'] },
  'AWS::Glue::Catalog': { kind: 'Glue federated catalog', paths: ['FederatedCatalog.ConnectionName'] },
  'AWS::Glue::MLTransform': { kind: 'Glue ML transform', paths: ['InputRecordTables.GlueTables.*.ConnectionName'] },
  'AWS::Glue::Table': { kind: 'Glue view', paths: ['TableInput.ViewDefinition.Representations.*.ValidationConnection'] },
  'AWS::Glue::TableOptimizer': { kind: 'Glue table optimizer', paths: ['TableOptimizerConfiguration.VpcConfiguration.GlueConnectionName'] },
  'AWS::Glue::IntegrationResourceProperty': { kind: 'Glue integration resource property', paths: ['TargetProcessingProperties.ConnectionName'] },
};

/** What one place of a resource holds. */
export type ConnectionUse =
  /** A `Ref` to a CfnConnection of this app (directly, or through an L2's `connectionName`). */
  | { readonly path: string; readonly connection: glue.CfnConnection }
  /** A literal connection name. */
  | { readonly path: string; readonly name: string }
  /** Anything else: an imported value, a parameter, a name built from tokens. */
  | { readonly path: string; readonly unresolved: string };

/** The places of a resource that name a connection, or undefined for a resource that names none. */
export function connectionFieldOf(resource: IConstruct): ConnectionField | undefined {
  return CfnResource.isCfnResource(resource) ? CONNECTION_FIELDS[resource.cfnResourceType] : undefined;
}

/** The connections a resource names, one entry a place, with each place's CloudFormation path. */
export function connectionUsesOf(resource: CfnResource): ConnectionUse[] {
  const field = CONNECTION_FIELDS[resource.cfnResourceType];
  if (!field) return [];
  const overrides = propertyOverrides(resource);
  const uses: ConnectionUse[] = [];
  for (const path of field.paths) {
    const [property, ...rest] = path.split('.');
    const typed = (resource as unknown as Record<string, unknown>)[lowerFirst(property)];
    const value = overrides && hasKey(overrides, property) ? mergeOverride(typed, getKey(overrides, property), isTokenOrIntrinsic) : typed;
    const resolver = new ConnectionRefResolver();
    walk(resolver, read(resource, value, resolver), rest, property, uses);
  }
  return uses;
}

/** The literal name a CfnConnection gives its connection, or undefined (generated or a token). */
export function literalConnectionName(connection: glue.CfnConnection): string | undefined {
  return literalInputMember(connection, 'name');
}

/** The literal connection type of a CfnConnection, or undefined (a token). */
export function literalConnectionType(connection: glue.CfnConnection): string | undefined {
  return literalInputMember(connection, 'connectionType');
}

/**
 * A member of the connection's ConnectionInput, when it is a literal string, an override
 * (`addPropertyOverride('ConnectionInput.Name', ...)`) included. Only that member is resolved
 * (an L2's lazy ConnectionProperties stay unresolved until synthesis).
 */
function literalInputMember(connection: glue.CfnConnection, member: 'name' | 'connectionType'): string | undefined {
  const input = connection.connectionInput;
  let raw: unknown = undefined;
  if (Tokenization.isResolvable(input)) {
    const resolved = read(connection, input);
    raw = isPlainObject(resolved) ? getKey(resolved, member) : undefined;
  } else {
    raw = (input as glue.CfnConnection.ConnectionInputProperty)[member];
  }
  const overrides = propertyOverrides(connection);
  const inputOverride = overrides && hasKey(overrides, 'ConnectionInput') ? getKey(overrides, 'ConnectionInput') : undefined;
  if (isPlainObject(inputOverride) && hasKey(inputOverride, member)) raw = getKey(inputOverride, member);
  const value = read(connection, raw);
  return typeof value === 'string' && !isMarker(value) ? value : undefined;
}

/**
 * What a string names, read in the context of `scope`: a CfnConnection (a pure Ref to one), a
 * literal, or neither (undefined).
 */
export function nameOrConnection(scope: IConstruct, value: string | undefined): glue.CfnConnection | string | undefined {
  if (value === undefined) return undefined;
  const resolver = new ConnectionRefResolver();
  const resolved = Tokenization.resolve(value, { scope, resolver, preparing: false });
  if (typeof resolved !== 'string') return undefined;
  const connection = resolver.connectionOf(resolved);
  if (connection) return connection;
  return resolved.includes(MARK) ? undefined : resolved;
}

/**
 * Whether two values of an environment (an account, a region, a catalog) may be the same: an
 * unresolved value on either side (an environment-agnostic stack's `Aws.ACCOUNT_ID`,
 * `Aws.REGION`) may be any, so it may match; two different literals never do. The one rule for
 * this library's lookups across stacks: connections by name, the aspect's index, and the app
 * index's exports (lib/network/app-index.ts).
 */
export function mayBeSame(a: string, b: string): boolean {
  return Token.isUnresolved(a) || Token.isUnresolved(b) || a === b;
}

/** Whether two stacks may be in the same account and region ({@link mayBeSame} for each). */
export function sameEnvironment(a: Stack, b: Stack): boolean {
  return mayBeSame(a.account, b.account) && mayBeSame(a.region, b.region);
}

/** Where a connection name means one connection, and the name: see {@link catalogKey}. */
export interface ConnectionKey {
  readonly catalog: string;
  readonly region: string;
  readonly name: string;
}

/**
 * The catalog and region in which a connection name means one connection: connection names
 * are unique per Data Catalog, which is per account and region. The catalog is `catalogId`
 * when it is a literal or the stack's account (`Aws.ACCOUNT_ID` in an environment-agnostic
 * stack), else the stack's account; any other token is a catalog of its own, which only the
 * same value in the same stack shares. Compare two with {@link sameConnection}.
 */
export function catalogKey(scope: IConstruct, catalogId?: string): { catalog: string; region: string } {
  const stack = Stack.of(scope);
  let catalog = stack.account;
  if (catalogId !== undefined && !Token.isUnresolved(catalogId)) {
    catalog = catalogId;
  } else if (catalogId !== undefined) {
    const resolved = JSON.stringify(stack.resolve(catalogId));
    const account = [JSON.stringify(stack.resolve(stack.account)), JSON.stringify({ Ref: 'AWS::AccountId' })];
    if (!account.includes(resolved)) catalog = `${MARK}${stack.node.path}:${resolved}`;
  }
  return { catalog, region: stack.region };
}

/**
 * Whether two keys may name the same connection: the same name, and a catalog and region that
 * {@link mayBeSame} (an unresolved account matches a literal CatalogId); a token catalog other
 * than the account matches only itself.
 */
export function sameConnection(a: ConnectionKey, b: ConnectionKey): boolean {
  const catalogs = isMarker(a.catalog) || isMarker(b.catalog) ? a.catalog === b.catalog : mayBeSame(a.catalog, b.catalog);
  return a.name === b.name && catalogs && mayBeSame(a.region, b.region);
}

/** The catalog key of a CfnConnection: its own CatalogId (an override included), else its stack's account. */
export function connectionCatalogKey(connection: glue.CfnConnection): { catalog: string; region: string } {
  const overrides = propertyOverrides(connection);
  const catalogId = overrides && hasKey(overrides, 'CatalogId') ? getKey(overrides, 'CatalogId') : connection.catalogId;
  return catalogKey(connection, typeof catalogId === 'string' ? catalogId : undefined);
}

/** The key under which `name` means one connection, read from `scope`: its catalog key ({@link catalogKey}) and the name. */
export function connectionKey(scope: IConstruct, name: string, catalogId?: string): ConnectionKey {
  return { ...catalogKey(scope, catalogId), name };
}

/** The key of a connection of the app, or undefined when its name is not a literal (a generated name, a token). */
export function keyOfConnection(connection: glue.CfnConnection): ConnectionKey | undefined {
  const name = literalConnectionName(connection);
  return name === undefined ? undefined : { ...connectionCatalogKey(connection), name };
}

/**
 * The connections of the app that a test or resource in `scope` means by `name` (in the catalog
 * `catalogId`, by default its account's, and its region): the one lookup by name that the
 * test, the path gate and GlueConnectionTestAspect share. A connection of the same name in
 * another region, account or catalog is another connection.
 */
export function findConnectionsByName(scope: IConstruct, name: string, catalogId?: string): glue.CfnConnection[] {
  const key = connectionKey(scope, name, catalogId);
  return assemblyDescendants(assemblyOf(scope)).filter((c): c is glue.CfnConnection => {
    if (!(c instanceof glue.CfnConnection)) return false;
    const other = keyOfConnection(c);
    return other !== undefined && sameConnection(key, other);
  });
}

// ---------------------------------------------------------------------------------------------

/** Markers are made of characters no connection name or CloudFormation value contains. */
const MARK = '\u0000';
const OPAQUE = `${MARK}opaque${MARK}`;

const isMarker = (s: string) => s.includes(MARK);

/**
 * Resolves like CDK does, except that a `Ref` to a CfnConnection becomes a marker string that
 * names the construct, and a string built from a token that is not a literal becomes OPAQUE.
 */
class ConnectionRefResolver extends DefaultTokenResolver {
  private readonly connections: glue.CfnConnection[] = [];

  constructor() {
    super(new LiteralConcat());
  }

  public resolveToken(t: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): unknown {
    if (Reference.isReference(t) && t.displayName === 'Ref' && t.target instanceof glue.CfnConnection) {
      this.connections.push(t.target);
      return `${MARK}connection:${this.connections.length - 1}${MARK}`;
    }
    return super.resolveToken(t, context, postProcessor);
  }

  /** The CfnConnection a string stands for, when it is exactly one marker. */
  public connectionOf(value: string): glue.CfnConnection | undefined {
    const match = new RegExp(`^${MARK}connection:(\\d+)${MARK}$`).exec(value);
    return match ? this.connections[Number(match[1])] : undefined;
  }
}

/**
 * Joins the parts of a string made of several (`${conn.ref}-suffix`, `Fn.join`-free templates):
 * literals stay literal; a part that is not (an intrinsic, a marker) makes the whole OPAQUE.
 */
class LiteralConcat implements IFragmentConcatenator {
  public join(left: unknown, right: unknown): unknown {
    const parts = [left, right].filter((p) => p !== undefined);
    if (parts.some((p) => (typeof p !== 'string' && typeof p !== 'number') || (typeof p === 'string' && isMarker(p)))) return OPAQUE;
    return parts.join('');
  }
}

/** Resolves a value of `scope`'s definition with the marker resolver. */
function read(scope: IConstruct, value: unknown, resolver = new ConnectionRefResolver()): unknown {
  if (value === undefined) return undefined;
  return Tokenization.resolve(value, { scope, resolver, preparing: false });
}

/**
 * Walks a property path through a resolved value whose markers belong to `resolver`,
 * case-insensitively: typed props are camelCase, overrides and IResolvable values PascalCase.
 */
function walk(resolver: ConnectionRefResolver, value: unknown, rest: string[], at: string, uses: ConnectionUse[]): void {
  if (value === undefined || value === null) return;
  if (rest.length === 0) {
    uses.push(leaf(resolver, value, at));
    return;
  }
  const [step, ...tail] = rest;
  if (step === '*') {
    if (!Array.isArray(value)) {
      uses.push({ path: at, unresolved: describe(value) });
      return;
    }
    value.forEach((element, i) => walk(resolver, element, tail, `${at}[${i}]`, uses));
    return;
  }
  if (!isPlainObject(value) || isIntrinsic(value)) {
    uses.push({ path: at, unresolved: describe(value) });
    return;
  }
  walk(resolver, getKey(value, step), tail, `${at}.${step}`, uses);
}

function leaf(resolver: ConnectionRefResolver, value: unknown, path: string): ConnectionUse {
  if (typeof value === 'string') {
    const connection = resolver.connectionOf(value);
    if (connection) return { path, connection };
    if (!isMarker(value)) return { path, name: value };
  }
  return { path, unresolved: describe(value) };
}

/** A value as a person reads it in a warning, with markers shown as what they stand for. */
function describe(value: unknown): string {
  if (value === OPAQUE) return 'a name built from tokens';
  const text = JSON.stringify(value) ?? String(value);
  const cleaned = text.replace(new RegExp(`\\\\u0000connection:\\d+\\\\u0000`, 'g'), '<Ref to a connection>')
    .replace(new RegExp(`\\\\u0000opaque\\\\u0000`, 'g'), '<tokens>');
  return cleaned.length > 200 ? `${cleaned.slice(0, 197)}...` : cleaned;
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

function hasKey(o: Record<string, unknown>, key: string): boolean {
  return Object.keys(o).some((k) => k.toLowerCase() === key.toLowerCase());
}

function getKey(o: Record<string, unknown>, key: string): unknown {
  const k = Object.keys(o).find((candidate) => candidate.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : o[k];
}

/** A typed value not to merge an override into, nor to merge into: a token (before resolving), or an intrinsic. */
function isTokenOrIntrinsic(value: unknown): boolean {
  return Tokenization.isResolvable(value) || isIntrinsic(value);
}
