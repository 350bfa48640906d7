/**
 * A CloudFormation resource's final definition as this library reads it: the L1's typed
 * properties, read through the public `IInspectable.inspect()` that every generated L1
 * implements (what `cdk synth` writes to tree.json), resolved with the public `Stack.resolve`,
 * with the resource's raw overrides (`addPropertyOverride`, `addOverride('Properties...')`)
 * merged in.
 *
 * aws-cdk-lib has no public way to read a resource's overrides: `addOverride` keeps them in a
 * private field that only the internal `_toCloudFormation()` renders. Without reading it, a
 * connection changed by `addPropertyOverride` (a documented escape hatch) would be tested,
 * granted and analysed as it was before the override. Nor is a plain `new CfnResource(scope,
 * id, { type, properties })` inspectable: its properties are read through CfnResource's
 * `protected` getter `cfnProperties` (the member generated L1s override), so that a path part
 * written that way (third-party constructs, hand-ported templates) reads as its typed L1.
 *
 * The non-public reads of aws-cdk-lib, each in one function, each pinned by a test that fails
 * loudly when its shape changes (test/network/cdk-internals.test.ts):
 * - {@link propertyOverrides} (`rawOverrides`, private);
 * - {@link plainProperties} (`cfnProperties`, protected);
 * - {@link referenceBehind} (the `reference` of the token `Stack.consumeReference` returns, whose
 *   class aws-cdk-lib does not export; Tokenization and IResolvable give the wrapper only).
 * Every other part of a definition is read through public API.
 */
import { CfnResource, IResolvable, Reference, Stack, TreeInspector } from 'aws-cdk-lib';
import { isObjectLiteral, isPlainObject, mergeOverride } from './cfn-values';

/** A resource's type and its resolved properties, in the L1's camelCase with overrides merged in. */
export interface ResourceDefinition {
  readonly type: string;
  /** Resolved: tokens become CloudFormation intrinsics (`{ Ref }`, `{ 'Fn::GetAtt' }`, ...). */
  readonly properties: Record<string, unknown>;
}

const TYPE_ATTRIBUTE = 'aws:cdk:cloudformation:type';
const PROPS_ATTRIBUTE = 'aws:cdk:cloudformation:props';

/**
 * The definition of `resource` at the time of the call: call it when the app is final (an
 * Aspect, a validation or a Lazy value), never from a constructor. `knownProperties` stands in
 * for the typed properties of a resource that is not inspectable (a custom resource). `resolve`
 * stands in for `Stack.resolve` (the app index's reader of references across stacks).
 */
export function definitionOf(resource: CfnResource, knownProperties?: object, resolve?: (value: unknown) => unknown): ResourceDefinition {
  const stack = Stack.of(resource);
  const resolveValue = resolve ?? ((value: unknown) => stack.resolve(value));
  const inspector = new TreeInspector();
  const inspectable = resource as Partial<{ inspect(i: TreeInspector): void }>;
  if (typeof inspectable.inspect === 'function') inspectable.inspect(inspector);
  // A plain CfnResource (a custom resource, a raw AWS::EC2::Route) is not inspectable: its maker passes the
  // properties it gave, or they are read as the CloudFormation names it was given, camelCased as an L1's.
  const given = knownProperties ?? inspector.attributes[PROPS_ATTRIBUTE] ?? plainProperties(resource);
  const typed = resolveValue(given) as Record<string, unknown> | undefined;
  // Resolving drops undefined members, which are deletions (`addPropertyDeletionOverride`): mark them first.
  const overrides = restoreDeletions(resolveValue(markDeletions(propertyOverrides(resource)))) as Record<string, unknown> | undefined;
  const properties = (isPlainObject(overrides) ? mergeOverride(typed ?? {}, overrides) : typed ?? {}) as Record<string, unknown>;
  return { type: (inspector.attributes[TYPE_ATTRIBUTE] as string | undefined) ?? resource.cfnResourceType, properties };
}

/**
 * The raw property overrides of a resource (`Properties.` of its overrides), PascalCase as the
 * user wrote them, with tokens; undefined when it has none. The only non-public read of the
 * library (see the module comment): every reader of overrides calls it, so it is the one place
 * to change if aws-cdk-lib ever adds a public accessor.
 */
export function propertyOverrides(resource: CfnResource): Record<string, unknown> | undefined {
  const raw = (resource as unknown as { rawOverrides?: { Properties?: unknown } }).rawOverrides;
  return raw && isPlainObject(raw.Properties) ? raw.Properties : undefined;
}

/**
 * The properties of a plain `CfnResource` (not a generated L1), with the CloudFormation names
 * its maker gave, member names camelCased as the L1s' (`GroupId` -> `groupId`, `PortRange.From`
 * -> `portRange.from`); intrinsics (`Ref`, `Fn::...`) and ALL_CAPS map keys (`JDBC_CONNECTION_URL`)
 * are kept. Reads the `protected` getter `cfnProperties` (see the module comment); undefined when
 * the resource has none or the member is gone (the readers then see no properties: a rule they
 * cannot read is an unknown, never a pass).
 */
export function plainProperties(resource: CfnResource): Record<string, unknown> | undefined {
  const raw = (resource as unknown as { cfnProperties?: unknown }).cfnProperties;
  return isPlainObject(raw) && Object.keys(raw).length > 0 ? camelCased(raw) as Record<string, unknown> : undefined;
}

function camelCased(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCased);
  if (!isObjectLiteral(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [/^[A-Z][a-z]/.test(k) && !['Ref', 'Condition'].includes(k) && !k.includes('::') ? k[0].toLowerCase() + k.slice(1) : k, camelCased(v)]));
}

/**
 * The reference a token stands for: itself, or the one a `Stack.consumeReference` wrapper (a
 * reference with a chosen strength, aws-cdk-lib 2.22x and later; private `core/lib/private/refs.ts`)
 * holds in its `reference` member beside `strength`. Non-public (see the module comment): without
 * it the app index would not follow a weak reference across stacks (the path would read as
 * outside the app, and no deploy order would be made for it); test/network/cdk-internals.test.ts
 * fails when the wrapper's shape changes.
 */
export function referenceBehind(t: IResolvable): Reference | undefined {
  if (Reference.isReference(t)) return t;
  const wrapped = (t as Partial<{ reference: unknown; strength: unknown }>).reference;
  return wrapped !== undefined && (t as { strength?: unknown }).strength !== undefined && Reference.isReference(wrapped) ? wrapped : undefined;
}

/** Stands in for a deleted property while the overrides are resolved. */
const DELETED = '\u0000cdk-glue-connection-test:deleted\u0000';

/** The overrides with each deletion (an undefined member of an object literal) as {@link DELETED}. */
function markDeletions(value: unknown): unknown {
  if (!isObjectLiteral(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === undefined ? DELETED : markDeletions(v)]));
}

/** The resolved overrides with each {@link DELETED} back as an undefined member, which `mergeOverride` deletes. */
function restoreDeletions(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === DELETED ? undefined : restoreDeletions(v)]));
}
