/**
 * The TestConnection request of `test-connection`, as the seed's options give it:
 * `--cli-input-json` first (the skeleton's blanks counting as absent), then `--connection-name`,
 * `--catalog-id` and `--test-connection-input`, each overriding the JSON's member of the same
 * name. Checked by the request model's rules (lib/contract/request.ts), the ones the construct
 * applies at synth time and the handler at deploy time.
 */
import type { TestConnectionInput } from '@aws-sdk/client-glue';
import { isSecretTarget, TEST_CONNECTION_REQUEST, validateRequest, withoutSkeletonBlanks } from '../lib/contract/request';
import { isPlainObject } from '../lib/private/cfn-values';
import { didYouMean } from '../lib/private/text';
import { jsonArgument, UsageError } from './args';

export interface RequestOptions {
  readonly 'connection-name'?: string;
  readonly 'catalog-id'?: string;
  readonly 'test-connection-input'?: string;
  readonly 'cli-input-json'?: string;
}

export interface CliRequest {
  readonly ConnectionName?: string;
  readonly CatalogId?: string;
  readonly TestConnectionInput?: TestConnectionInput;
}

export interface ReadRequest {
  readonly request: CliRequest;
  /** Every secret value the input holds (PASSWORD, tokens, ...), to be masked in all output. */
  readonly secrets: readonly string[];
  /** Skeleton members taken as absent, and the model's warnings: shown, not fatal. */
  readonly warnings: readonly string[];
}

/**
 * Reads and checks the request. Throws a UsageError naming each bad member by its path; the
 * secrets are returned even then (the caller registers them first), and no message holds a value
 * of a secret member.
 */
export function readRequest(
  options: RequestOptions, cwd: string, register: (secret: string) => void, requireConnection = true, env: NodeJS.ProcessEnv = process.env,
): ReadRequest {
  const warnings: string[] = [];
  let request: Record<string, unknown> = {};
  const cliInput = options['cli-input-json'];
  if (cliInput !== undefined) {
    const json = jsonArgument('--cli-input-json', cliInput, cwd, env);
    if (!isPlainObject(json)) throw new UsageError('--cli-input-json: must be a JSON object with ConnectionName, CatalogId and/or TestConnectionInput');
    secretValues(json.TestConnectionInput).forEach(register);
    request = (withoutSkeletonBlanks(TEST_CONNECTION_REQUEST, json, [], warnings, '--cli-input-json') ?? {}) as Record<string, unknown>;
    const members = Object.keys(TEST_CONNECTION_REQUEST.members);
    const unknown = Object.keys(request).filter((key) => !members.includes(key));
    if (unknown.length > 0) {
      throw new UsageError(unknown.map((key) => `--cli-input-json.${key}: is not a member of the TestConnection request${didYouMean(key, members)} `
        + `(allowed: ${members.join(', ')})`).join('\n'));
    }
  }
  if (options['connection-name'] !== undefined) request.ConnectionName = options['connection-name'];
  if (options['catalog-id'] !== undefined) request.CatalogId = options['catalog-id'];
  if (options['test-connection-input'] !== undefined) {
    request.TestConnectionInput = jsonArgument('--test-connection-input', options['test-connection-input'], cwd, env);
    secretValues(request.TestConnectionInput).forEach(register);
  }

  const checked = validateRequest(request);
  const modelWarnings = checked.warnings;
  // `--generate-cli-skeleton output` checks what is given; the seed's request has no required member.
  const noConnection = request.ConnectionName === undefined && request.TestConnectionInput === undefined;
  const errors = requireConnection || !noConnection ? checked.errors : checked.errors.filter((f) => f.path.length > 0);
  const where = (path: readonly string[]) => (path.length === 0 ? 'the request' : path.join('.'));
  warnings.push(...modelWarnings.map((f) => `${where(f.path)}: ${f.message}`));
  if (errors.length > 0) {
    const hint = errors.some((f) => f.path.length === 0)
      ? ' (--connection-name tests an existing connection; --test-connection-input a definition)' : '';
    throw new UsageError(errors.map((f) => `${where(f.path)}: ${f.message}`).join('\n') + hint);
  }
  return { request: request as CliRequest, secrets: secretValues(request.TestConnectionInput), warnings };
}

/** The values of the input's secret members, found by the request model's own rule (isSecretTarget). */
export function secretValues(input: unknown, path: string[] = []): string[] {
  if (typeof input === 'string') return path.length > 0 && isSecretTarget(path) ? [input] : [];
  if (!isPlainObject(input)) return [];
  return Object.entries(input).flatMap(([key, value]) => secretValues(value, [...path, key]));
}
