/**
 * CloudFormation values, one module for the whole library (construct, request model, network
 * analysis, handler and simulation): what counts as an object and as an intrinsic, how an
 * override merges into a resource's properties, which logical ids a value references, and how
 * a value is described in a message.
 *
 * This module imports nothing from aws-cdk-lib: the handler bundle inlines it.
 */

/** A JSON-like object: not a list, not null (a class instance counts; use {@link isObjectLiteral} to tell them apart). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** An object literal (`{ ... }`, or an object without a prototype): not a list, not a class instance such as a construct. */
export function isObjectLiteral(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * `{ Ref: ... }`, `{ 'Fn::GetAtt': ... }`, `{ Condition: ... }` and the other intrinsics: a
 * value CloudFormation computes at deploy time, never a structure to merge into or read members of.
 */
export function isIntrinsic(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0].startsWith('Fn::'));
}

/**
 * Merges a CloudFormation-cased override (`addPropertyOverride`, `addOverride('Properties...')`)
 * into a camelCase typed value as CloudFormation rendering sees it: a key matches the key that
 * differs only in case (`SubnetId` matches `subnetId`; map keys such as `SECRET_ID` match
 * exactly), objects merge deeply, an `undefined` member deletes (`addPropertyDeletionOverride`),
 * anything else replaces. A new key is written as the L1s name properties (`subnetId`).
 * `isValue` tells the objects that are values rather than structures (intrinsics; tokens too,
 * for a caller that merges before resolving): they replace and are replaced whole.
 */
export function mergeOverride(base: unknown, override: unknown, isValue: (value: unknown) => boolean = isIntrinsic): unknown {
  if (!isPlainObject(override) || isValue(override)) return override;
  const out: Record<string, unknown> = isPlainObject(base) && !isValue(base) ? { ...base } : {};
  for (const [key, value] of Object.entries(override)) {
    const existing = Object.hasOwn(out, key) ? key : Object.keys(out).find((k) => k.toLowerCase() === key.toLowerCase());
    const name = existing ?? camelCase(key);
    if (value === undefined) delete out[name];
    else out[name] = mergeOverride(existing === undefined ? undefined : out[existing], value, isValue);
  }
  return out;
}

/** `SubnetId` to `subnetId`, as the L1s name CloudFormation properties; map keys are all caps and stay. */
function camelCase(key: string): string {
  return /^[A-Z0-9_]+$/.test(key) ? key : key.charAt(0).toLowerCase() + key.slice(1);
}

/** A reference to a resource: a `{ Ref }` (not to a pseudo parameter) or a `{ 'Fn::GetAtt' }` (list or `Id.Attribute` form). */
export function referenceOf(value: unknown): { id: string; attribute?: string } | undefined {
  if (!isPlainObject(value)) return undefined;
  if (typeof value.Ref === 'string' && !value.Ref.startsWith('AWS::')) return { id: value.Ref };
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return { id: getAtt[0], attribute: getAtt[1] === undefined ? undefined : String(getAtt[1]) };
  if (typeof getAtt === 'string' && getAtt.includes('.')) {
    const dot = getAtt.indexOf('.');
    return { id: getAtt.slice(0, dot), attribute: getAtt.slice(dot + 1) };
  }
  return undefined;
}

/**
 * The logical ids a value references anywhere inside it: `Ref` (pseudo parameters excluded),
 * `Fn::GetAtt`, and the `${Id}` and `${Id.Attribute}` variables of `Fn::Sub` that its own
 * variable map does not define. Parameters are ids too: a caller that wants resources only
 * keeps those of its template's Resources.
 */
export function referencedIds(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) referencedIds(v, found);
    return found;
  }
  if (!isPlainObject(value)) return found;
  const ref = referenceOf(value);
  if (ref) {
    found.add(ref.id);
    return found;
  }
  for (const [key, v] of Object.entries(value)) {
    if (key === 'Ref' || key === 'Fn::GetAtt') continue; // a pseudo parameter, or malformed
    if (key === 'Fn::Sub') {
      const [source, variables] = typeof v === 'string' ? [v, undefined] : Array.isArray(v) ? [v[0], v[1]] : [undefined, undefined];
      const defined = isPlainObject(variables) ? Object.keys(variables) : [];
      if (typeof source === 'string') {
        for (const [, name] of source.matchAll(/\$\{([^}!][^}]*)\}/g)) {
          if (!defined.includes(name) && !name.startsWith('AWS::')) found.add(name.split('.')[0]);
        }
      }
      referencedIds(variables, found);
    } else {
      referencedIds(v, found);
    }
  }
  return found;
}

/** A value's kind, for a message; never the value itself, which may be a secret. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

/**
 * A value as an error message shows it: its type, and a short form of it (at most 40
 * characters of a string). Only for values that cannot be secrets; {@link kindOf} otherwise.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '...' : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `the ${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? `an instance of ${name}` : 'an object';
}
