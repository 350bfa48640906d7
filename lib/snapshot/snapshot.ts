/**
 * Stable snapshots for stacks that use the library: the parts of a template that change with a
 * release of this library (the handler bundle's asset hash) or of aws-cdk-lib (the functions'
 * runtime, the Provider framework's asset hash) are replaced with fixed placeholders; everything
 * else, the user's own resources included, is left as it is.
 */
import { PROVIDER_ID } from '../construct/provider';
import { describeValue } from '../private/cfn-values';

/** A 64-digit hex asset hash, as the S3 key and the asset metadata of a Lambda function carry it. */
const ASSET_HASH = /[0-9a-f]{64}/g;
const ASSET_PLACEHOLDER = '<cdk-glue-connection-test:asset-hash>';
const RUNTIME_PLACEHOLDER = '<cdk-glue-connection-test:runtime>';

/**
 * Helpers for snapshot tests of stacks that contain a `GlueConnectionTest`.
 *
 * A snapshot of such a stack would otherwise change whenever a release of this library changes
 * the handler bundle (its asset hash is the function's S3 key) and whenever an aws-cdk-lib
 * upgrade changes the Node.js runtime. Normalize the template before comparing it, or, with
 * jest, add the serializer `cdk-glue-connection-test/dist/snapshot-serializer` to
 * `snapshotSerializers`.
 *
 * @example
 * import { Template } from 'aws-cdk-lib/assertions';
 *
 * const stable = GlueConnectionTestSnapshot.normalizeTemplate(Template.fromStack(this).toJSON());
 */
export class GlueConnectionTestSnapshot {
  /** What the library's asset hashes are replaced with. */
  public static readonly ASSET_HASH_PLACEHOLDER = ASSET_PLACEHOLDER;
  /** What the library's functions' runtime is replaced with. */
  public static readonly RUNTIME_PLACEHOLDER = RUNTIME_PLACEHOLDER;

  /**
   * A copy of `template` in which the Lambda functions of the library's shared provider (the
   * connection-test handler and its Provider framework function) carry placeholders instead of
   * their asset hash and runtime. Every other resource, output, parameter and mapping is left
   * as it is, so the snapshot still changes when your own resources do. The input is not
   * modified; a template without the library's functions is returned unchanged.
   *
   * @param template a CloudFormation template as JSON, such as `Template.fromStack(stack).toJSON()`
   * @returns the template with stable placeholders, ready for a snapshot (index it as the template: `stable.Resources`)
   */
  // `any`, as `Template.toJSON()` returns it: a caller indexes the result (`stable.Resources[id]`) under tsc --strict.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  public static normalizeTemplate(template: { [key: string]: any }): { [key: string]: any } {
    // JavaScript callers can pass anything: a value that is not a template is named, not passed through.
    if (template === null || typeof template !== 'object' || Array.isArray(template)) {
      throw new Error('GlueConnectionTestSnapshot.normalizeTemplate: template: must be a CloudFormation template as JSON, '
        + `such as Template.fromStack(stack).toJSON() (got ${describeValue(template)})`);
    }
    return normalizeTemplate(template) as { [key: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  }

  private constructor() {
    // Static helpers only.
  }
}

interface Resource {
  Type?: unknown;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

/** The library's own functions in a template, by logical id: those of the stack's shared provider. */
function libraryFunctions(template: unknown): [string, Resource][] {
  if (typeof template !== 'object' || template === null) return [];
  const resources = (template as { Resources?: unknown }).Resources;
  if (typeof resources !== 'object' || resources === null) return [];
  return Object.entries(resources as Record<string, Resource>)
    .filter(([id, r]) => id.startsWith(PROVIDER_ID) && typeof r === 'object' && r !== null && r.Type === 'AWS::Lambda::Function');
}

/** Whether `template` holds a function of the library that still carries its hash or runtime. */
export function needsNormalizing(template: unknown): boolean {
  return libraryFunctions(template).some(([, r]) => r.Properties?.Runtime !== RUNTIME_PLACEHOLDER);
}

/** See {@link GlueConnectionTestSnapshot.normalizeTemplate}. */
export function normalizeTemplate(template: unknown): unknown {
  const functions = libraryFunctions(template);
  if (functions.length === 0) return template;
  const copy = JSON.parse(JSON.stringify(template)) as { Resources: Record<string, Resource> };
  for (const [id] of functions) {
    const resource = copy.Resources[id];
    if (resource.Properties) {
      if ('Runtime' in resource.Properties) resource.Properties.Runtime = RUNTIME_PLACEHOLDER;
      if ('Code' in resource.Properties) resource.Properties.Code = withoutAssetHashes(resource.Properties.Code);
    }
    if (resource.Metadata) resource.Metadata = withoutAssetHashes(resource.Metadata) as Record<string, unknown>;
  }
  return copy;
}

/** `value` with every asset hash in its strings replaced by the placeholder. */
function withoutAssetHashes(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(ASSET_HASH, ASSET_PLACEHOLDER);
  if (Array.isArray(value)) return value.map(withoutAssetHashes);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutAssetHashes(v)]));
  }
  return value;
}
