/**
 * The whole app as one index for the path reader (docs/decisions.md, decision 9; issue 16): every
 * resource a Glue connection's network path can hold, in whichever stack or nested stack of the
 * cloud assembly it is defined, with definitions read so that a value means the same resource
 * whichever stack holds it and whenever it is read.
 *
 * Why a reader of its own: CDK turns a reference to another stack's element into a value for
 * the consuming stack only in `prepareApp`, after every Aspect has run (aws-cdk-lib
 * `core/lib/private/refs.ts` `resolveReferences`, and `CfnReference.resolve`, which picks the
 * replacement registered for `Stack.of(context.scope)`): an `Fn::ImportValue` of an export it
 * creates (a strong reference), an `Fn::GetStackOutput` (a weak one), a nested stack's parameter
 * or output. Before that, `stack.resolve` in the consuming stack renders another stack's `Ref`
 * as `{ Ref: <its logical id> }`, which names nothing (or another resource) in the consuming
 * stack; after it, as an import whose name says nothing of the resource. The gate reads at both
 * times (its Aspect for dependencies and grants, its validation for the analysis and digest).
 *
 * So definitions are resolved with a token resolver that stops at every reference to an element
 * of another stack, before CDK's replacement, and values are made canonical across the app:
 * - a `Ref` or `Fn::GetAtt` of a resource of the app, in any stack, is `{ Ref: key }` or
 *   `{ 'Fn::GetAtt': [key, attribute] }`, with key `<stack path>/<logical id>`
 *   ({@link PathResource.key}; a logical id holds no `/`);
 * - a `Ref` to a nested stack's parameter is the value its parent gives it
 *   (`NestedStack` `parameters`, and those CDK adds), read in the parent;
 * - `Fn::ImportValue` of a literal name that an output of this app exports (`CfnOutput`
 *   `exportName`, `Stack.exportValue`) is that output's value, read in the output's stack;
 * - anything else (pseudo parameters, a top-level stack's parameters, another app's exports,
 *   literals) stays as CloudFormation renders it in the resource's own stack.
 *
 * Internal: nothing here is exported from the package.
 */
import {
  CfnElement, CfnOutput, CfnParameter, CfnResource, DefaultTokenResolver, IFragmentConcatenator, IPostProcessor, IResolvable,
  IResolveContext, Stack, Token, Tokenization,
} from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { assemblyDescendants, assemblyOf } from '../private/assembly';
import { isPlainObject, referencedIds, referenceOf } from '../private/cfn-values';
import { sameEnvironment } from '../private/connection-references';
import { definitionOf, referenceBehind, ResourceDefinition } from '../private/resource-definition';

/** A resource of the app with its canonical definition, read once per index. */
export interface PathResource {
  readonly resource: CfnResource;
  /** `<stack path>/<logical id>`: the resource's name across the app, as canonical values hold it. */
  readonly key: string;
  /** The logical id in its own stack's template. */
  readonly logicalId: string;
  readonly stack: Stack;
  /** Resolved and canonical (see the module comment). */
  readonly definition: ResourceDefinition;
}

/** The types a path can hold: only these are indexed (a stack of 200 connections has 200 resources a path never holds). */
const PATH_TYPES = /^AWS::(EC2|SecretsManager|RDS|Redshift)::/;
/** How many indirections (nested parameter, app export) one value may go through: more is a loop. */
const MAX_DEPTH = 8;
/** The member a resolved foreign reference carries until it is made canonical: the target's stack. */
const FOREIGN = '\u0000stack';

/** The stack's name across the app: its construct path (the app's own stacks have no path prefix). */
export function stackKey(stack: Stack): string {
  return stack.node.path;
}

/** The key of a resource in canonical values. */
export function resourceKey(resource: CfnElement): string {
  const stack = Stack.of(resource);
  return `${stackKey(stack)}/${stack.resolve(resource.logicalId) as string}`;
}

/** The index of one cloud assembly (the App, or a Stage), built from its constructs as they are now. */
export class AppIndex {
  /** Path-type resources by key. */
  private readonly resources = new Map<string, CfnResource>();
  /** Every stack's parameters by logical id. */
  private readonly parameters = new Map<Stack, Map<string, CfnParameter>>();
  /** The app's outputs by literal export name. */
  private readonly exports = new Map<string, CfnOutput[]>();
  private readonly definitions = new Map<CfnResource, PathResource>();
  private readonly byType = new Map<string, PathResource[]>();
  private everyResource?: Map<string, CfnResource>;

  /** @param scope any construct of the assembly to index */
  constructor(private readonly scope: IConstruct) {
    for (const c of assemblyDescendants(assemblyOf(scope))) {
      if (CfnResource.isCfnResource(c)) {
        if (PATH_TYPES.test(c.cfnResourceType)) this.resources.set(resourceKey(c), c);
      } else if (c instanceof CfnParameter) {
        const stack = Stack.of(c);
        const own = this.parameters.get(stack) ?? new Map<string, CfnParameter>();
        own.set(stack.resolve(c.logicalId) as string, c);
        this.parameters.set(stack, own);
      } else if (c instanceof CfnOutput) {
        const name: unknown = Stack.of(c).resolve(c.exportName);
        if (typeof name === 'string') this.exports.set(name, [...this.exports.get(name) ?? [], c]);
      }
    }
  }

  /** The resource a canonical `{ Ref }` or `{ 'Fn::GetAtt' }` names, when it is of one of the types. */
  public target(value: unknown, types?: readonly string[]): PathResource | undefined {
    const key = referenceOf(value)?.id;
    const resource = key !== undefined ? this.resources.get(key) : undefined;
    if (!resource || (types && !types.includes(resource.cfnResourceType))) return undefined;
    return this.read(resource);
  }

  /** Every resource of the type, anywhere in the app, whose property `member` points to `target`. */
  public pointingAt(type: string, member: string, target: PathResource): PathResource[] {
    return this.ofType(type).filter((r) => referenceOf(r.definition.properties[member])?.id === target.key);
  }

  /** Every resource of the type, anywhere in the app, in key order. */
  public ofType(type: string): PathResource[] {
    let list = this.byType.get(type);
    if (!list) {
      list = [...this.resources.entries()].filter(([, r]) => r.cfnResourceType === type)
        .sort(([a], [b]) => a.localeCompare(b)).map(([, r]) => this.read(r));
      this.byType.set(type, list);
    }
    return list;
  }

  /** Every resource of the types that a canonical value refers to, anywhere inside it. */
  public referencedIn(value: unknown, types: readonly string[]): PathResource[] {
    return [...referencedIds(value)].map((key) => this.resources.get(key))
      .filter((r): r is CfnResource => !!r && types.includes(r.cfnResourceType))
      .map((r) => this.read(r));
  }

  /** A resource's canonical definition (any resource, also one of a type the index does not hold). */
  public read(resource: CfnResource): PathResource {
    let entry = this.definitions.get(resource);
    if (!entry) {
      const stack = Stack.of(resource);
      // Each part canonical before overrides merge in: a reference is then one intrinsic, never a structure to merge into.
      const definition = definitionOf(resource, undefined, (value) => this.canonical(resolveAcrossStacks(resource, value), stack, 0));
      entry = { resource, key: resourceKey(resource), logicalId: stack.resolve(resource.logicalId) as string, stack, definition };
      this.definitions.set(resource, entry);
    }
    return entry;
  }

  /**
   * A value of the app's definitions as a CDK value usable in any stack of the app: each
   * canonical reference to a resource of the app becomes that resource's own token (so CDK
   * makes the cross-stack reference), the rest stays. Undefined when it holds a reference this
   * index cannot give a token for (another stack's parameter), or when, read in another stack
   * than `consumer`, it holds a value that only means something in its own stack.
   */
  public portable(value: unknown, holder: Stack, consumer: Stack): string | undefined {
    let ok = true;
    const map = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(map);
      if (!isPlainObject(v)) return v;
      const ref = referenceOf(v);
      if (ref) {
        const resource = this.resources.get(ref.id) ?? this.anyResource(ref.id);
        if (resource) return ref.attribute === undefined ? resource.ref : resource.getAtt(ref.attribute);
        // A key names an element this index cannot give a token for; a plain id means something in its own stack only.
        if (ref.id.includes('/') || holder !== consumer) ok = false;
        return v;
      }
      if (holder !== consumer && Object.keys(v).includes('Fn::Sub')) ok = false;
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, map(x)]));
    };
    const mapped = map(value);
    if (!ok || mapped === undefined || mapped === null) return undefined;
    return typeof mapped === 'string' ? mapped : Token.asString(mapped);
  }

  /** A resource of any type by key, for {@link portable}; the others are indexed on first use. */
  private anyResource(key: string): CfnResource | undefined {
    if (!this.everyResource) {
      this.everyResource = new Map();
      for (const c of assemblyDescendants(assemblyOf(this.scope))) if (CfnResource.isCfnResource(c)) this.everyResource.set(resourceKey(c), c);
    }
    return this.everyResource.get(key);
  }

  /** A resolved value of `stack` made canonical (see the module comment). */
  private canonical(value: unknown, stack: Stack, depth: number): unknown {
    if (Array.isArray(value)) return value.map((v) => this.canonical(v, stack, depth));
    if (!isPlainObject(value)) return value;
    const foreign = value[FOREIGN];
    if (foreign instanceof Stack) {
      const own = Object.fromEntries(Object.entries(value).filter(([k]) => k !== FOREIGN));
      return this.canonical(own, foreign, depth);
    }
    const ref = referenceOf(value);
    if (ref && !ref.id.includes('/')) {
      const parameter = this.parameters.get(stack)?.get(ref.id);
      if (parameter) return ref.attribute === undefined ? this.parameterValue(stack, ref.id, value, depth) : value;
      const key = `${stackKey(stack)}/${ref.id}`;
      return ref.attribute === undefined ? { Ref: key } : { 'Fn::GetAtt': [key, ref.attribute] };
    }
    const imported = value['Fn::ImportValue'];
    if (imported !== undefined && Object.keys(value).length === 1) {
      const output = typeof imported === 'string' ? this.exportOf(imported, stack) : undefined;
      if (output && depth < MAX_DEPTH) {
        const producer = Stack.of(output);
        return this.canonical(resolveAcrossStacks(output, output.value), producer, depth + 1);
      }
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.canonical(v, stack, depth)]));
  }

  /** The value a nested stack's parent gives its parameter, canonical in the parent; the Ref itself when there is none. */
  private parameterValue(stack: Stack, id: string, ref: Record<string, unknown>, depth: number): unknown {
    const parent = stack.nested ? stack.nestedStackResource : undefined;
    if (!parent || depth >= MAX_DEPTH) return ref;
    const given = this.read(parent).definition.properties.parameters;
    const value = isPlainObject(given) ? given[id] : undefined;
    // read() made the parent's values canonical already (at depth 0: parents are few and shallow).
    return value === undefined ? ref : value;
  }

  /** The output of the app that exports `name` to `consumer`'s account and region, when exactly one does. */
  private exportOf(name: string, consumer: Stack): CfnOutput | undefined {
    const candidates = (this.exports.get(name) ?? []).filter((o) => sameEnvironment(Stack.of(o), consumer));
    return candidates.length === 1 ? candidates[0] : undefined;
  }
}

/** Resolves a value of `scope`'s stack, references to other stacks' elements left as markers (see the module comment). */
function resolveAcrossStacks(scope: IConstruct, value: unknown): unknown {
  if (value === undefined) return undefined;
  return Tokenization.resolve(value, { scope, resolver: new AcrossStacksResolver(), preparing: false });
}

/**
 * CDK's resolver, except that a reference to an element of another stack resolves to that
 * element's `{ Ref }` or `{ 'Fn::GetAtt' }` in its own stack, marked with the stack, before CDK
 * would replace it for the consuming stack.
 */
class AcrossStacksResolver extends DefaultTokenResolver {
  constructor() {
    super(new CloudFormationConcat());
  }

  public resolveToken(t: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): unknown {
    const reference = referenceBehind(t);
    if (reference && CfnElement.isCfnElement(reference.target)) {
      const target = Stack.of(reference.target);
      if (target !== Stack.of(context.scope)) {
        const own = target.resolve(reference) as Record<string, unknown>;
        return { ...own, [FOREIGN]: target };
      }
    }
    return super.resolveToken(t, context, postProcessor);
  }
}

/** Joins the parts of a string with tokens as CloudFormation does: `Fn::Join` with an empty delimiter, literals merged. */
class CloudFormationConcat implements IFragmentConcatenator {
  public join(left: unknown, right: unknown): unknown {
    if (left === undefined) return right;
    if (right === undefined) return left;
    const parts = [...partsOf(left), ...partsOf(right)];
    const merged: unknown[] = [];
    for (const part of parts) {
      const last = merged[merged.length - 1];
      if (isLiteral(part) && isLiteral(last)) merged[merged.length - 1] = `${last}${part}`;
      else merged.push(part);
    }
    return merged.length === 1 && isLiteral(merged[0]) ? String(merged[0]) : { 'Fn::Join': ['', merged] };
  }
}

function isLiteral(value: unknown): value is string | number {
  return typeof value === 'string' || typeof value === 'number';
}

function partsOf(value: unknown): unknown[] {
  const join = isPlainObject(value) && Object.keys(value).length === 1 ? value['Fn::Join'] : undefined;
  return Array.isArray(join) && join[0] === '' && Array.isArray(join[1]) ? join[1] : [value];
}
