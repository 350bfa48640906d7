/**
 * Parses the custom resource's properties. CloudFormation delivers every scalar as a string
 * ("true", "300"), so each is parsed here; what cannot be parsed is refused with a message that
 * names the property and what is allowed. The Glue API's own rules come from the contract, the
 * same rules the construct applied at synth time.
 */
import type { TestConnectionInput } from '@aws-sdk/client-glue';
import {
  FailureMode, NETWORK_PATH_IDENTITY_MEMBERS, NetworkInspection, NetworkPathIdentity, ResourceProperties, SecretReference, TIMEOUT_LIMITS,
} from '../lib/contract/resource';
import { isSecretTarget, parsePointer, validateRequest } from '../lib/contract/request';
import type { Subject } from '../core/reason';

/** A property the handler cannot use; the message names it. */
export class PropertyError extends Error {
  public readonly name = 'PropertyError';
}

export interface TestSettings {
  readonly connectionName?: string;
  readonly catalogId?: string;
  /** Without its secret members, which `secretReferences` fill in. */
  readonly input?: TestConnectionInput;
  readonly secretReferences: SecretReference[];
  readonly failureMode: FailureMode;
  readonly timeoutSeconds: number;
  readonly waitForReady: boolean;
  /** The ids of the connection's in-app network path, resolved by CloudFormation. */
  readonly networkPath?: NetworkPathIdentity;
  readonly networkInspection: NetworkInspection;
}

export function parseProperties(raw: unknown): TestSettings {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new PropertyError('ResourceProperties: must be an object');
  }
  const props = raw as Record<keyof ResourceProperties, unknown>;
  const settings: TestSettings = {
    connectionName: optionalString(props, 'ConnectionName'),
    catalogId: optionalString(props, 'CatalogId'),
    // Checked member by member against the request table below, which lambda/sdk-shape.ts holds
    // to the SDK's own types. ConnectionType values and ConnectionProperties keys beyond the
    // SDK's lists pass: Glue accepts more than its model lists.
    input: optionalObject(props, 'TestConnectionInput') as TestConnectionInput | undefined,
    secretReferences: secretReferences(props.SecretReferences),
    failureMode: enumValue('FailureMode', FailureMode, FailureMode.FAIL_DEPLOYMENT, props.FailureMode),
    timeoutSeconds: timeoutSeconds(props.TimeoutSeconds),
    waitForReady: bool(props.WaitForReady, 'WaitForReady', false),
    networkPath: networkPath(props.NetworkPath),
    networkInspection: enumValue('NetworkInspection', NetworkInspection, NetworkInspection.ON_FAILURE, props.NetworkInspection),
  };
  // Only its change matters (it makes CloudFormation send an Update); it must still be a string.
  optionalString(props, 'NetworkPathDigest');
  if (settings.secretReferences.length > 0 && !settings.input) {
    throw new PropertyError('SecretReferences: fill in members of TestConnectionInput, which this test does not have; remove them, or test a TestConnectionInput');
  }
  const { errors } = validateRequest({
    ConnectionName: settings.connectionName,
    CatalogId: settings.catalogId,
    TestConnectionInput: settings.input,
    secretTargets: settings.secretReferences.map((r) => r.Target),
  });
  if (errors.length > 0) {
    throw new PropertyError(errors.map((f) => `${f.path.join('.') || 'ResourceProperties'}: ${f.message}`).join('; '));
  }
  return settings;
}

function optionalString(props: Record<string, unknown>, name: string): string | undefined {
  const value = props[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new PropertyError(`${name}: must be a string (got ${describe(value)})`);
  return value;
}

function optionalObject(props: Record<string, unknown>, name: string): object | undefined {
  const value = props[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new PropertyError(`${name}: must be an object (got ${describe(value)})`);
  return value;
}

function secretReferences(value: unknown): SecretReference[] {
  if (value === undefined || value === null || value === '') return [];
  if (!Array.isArray(value)) throw new PropertyError(`SecretReferences: must be a list (got ${describe(value)})`);
  return value.map((item, i) => {
    const where = `SecretReferences[${i}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new PropertyError(`${where}: must be an object`);
    const ref = { ...(item as Record<string, unknown>) };
    for (const key of Object.keys(ref)) {
      if (!['Target', 'SecretId', 'JsonField', 'VersionStage', 'VersionId'].includes(key)) {
        throw new PropertyError(`${where}.${key}: is not a member of a secret reference (Target, SecretId, JsonField, VersionStage, VersionId)`);
      }
      if (typeof ref[key] !== 'string') throw new PropertyError(`${where}.${key}: must be a string (got ${describe(ref[key])})`);
      // CloudFormation has no "absent" for a list item's member: an empty string means not given.
      if (ref[key] === '') delete ref[key];
    }
    const target = ref.Target as string | undefined;
    if (!target) throw new PropertyError(`${where}.Target: is required`);
    let segments: string[];
    try {
      segments = parsePointer(target);
    } catch (e) {
      throw new PropertyError(`${where}.Target: ${(e as Error).message}`);
    }
    if (!isSecretTarget(segments)) {
      throw new PropertyError(`${where}.Target: "${target}" is not a secret member of TestConnectionInput (a *PASSWORD* connection property or a credential of AuthenticationConfiguration)`);
    }
    if (!ref.SecretId) throw new PropertyError(`${where}.SecretId: is required`);
    return ref as unknown as SecretReference;
  });
}

function networkPath(value: unknown): NetworkPathIdentity | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new PropertyError(`NetworkPath: must be an object (got ${describe(value)})`);
  const members = NETWORK_PATH_IDENTITY_MEMBERS as Record<string, 'id' | 'list'>;
  for (const [key, item] of Object.entries(value)) {
    const kind = members[key];
    if (kind === undefined) throw new PropertyError(`NetworkPath.${key}: is not a member of NetworkPath (allowed: ${Object.keys(members).join(', ')})`);
    const ok = kind === 'id' ? typeof item === 'string' : Array.isArray(item) && item.every((v) => typeof v === 'string');
    if (!ok) throw new PropertyError(`NetworkPath.${key}: must be ${kind === 'id' ? 'a string' : 'a list of strings'} (got ${describe(item)})`);
  }
  return value as NetworkPathIdentity;
}

/** One of an enum's values, by property name; absent or empty is the default. */
function enumValue<T extends string>(property: string, values: Record<string, T>, fallback: T, value: unknown): T {
  if (value === undefined || value === null || value === '') return fallback;
  const allowed = Object.values(values) as string[];
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new PropertyError(`${property}: must be one of ${allowed.join(', ')} (got ${describe(value)})`);
  }
  return value as T;
}

function timeoutSeconds(value: unknown): number {
  if (value === undefined || value === null || value === '') return TIMEOUT_LIMITS.defaultSeconds;
  const text = typeof value === 'number' ? String(value) : value;
  const seconds = typeof text === 'string' && /^\d{1,6}$/.test(text) ? Number(text) : NaN;
  if (!(seconds >= TIMEOUT_LIMITS.minSeconds && seconds <= TIMEOUT_LIMITS.maxSeconds)) {
    throw new PropertyError(`TimeoutSeconds: must be a whole number of seconds from ${TIMEOUT_LIMITS.minSeconds} to ${TIMEOUT_LIMITS.maxSeconds} (got ${describe(value)})`);
  }
  return seconds;
}

function bool(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined || value === null || value === '') return fallback;
  if (value === 'true' || value === true) return true;
  if (value === 'false' || value === false) return false;
  throw new PropertyError(`${name}: must be "true" or "false" (got ${describe(value)})`);
}

/** A short, safe description of a bad value for a message: never more than 40 characters of it. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '...' : value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/**
 * What the properties name, for a reason about properties that could not be parsed: the reason
 * still says which connection it is about.
 */
export function subjectOf(raw: unknown): Subject {
  const props = (raw !== null && typeof raw === 'object' ? raw : {}) as { ConnectionName?: unknown; TestConnectionInput?: { ConnectionType?: unknown } | null };
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const input = props.TestConnectionInput;
  return {
    connectionName: text(props.ConnectionName),
    connectionType: input !== null && typeof input === 'object' ? text(input.ConnectionType) : undefined,
  };
}
