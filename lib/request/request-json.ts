/**
 * The `--cli-input-json` entry point: a TestConnection request as JSON (what
 * `aws glue test-connection --generate-cli-skeleton` prints), turned into typed props, member by
 * member from the request table. Secret members must be `{{resolve:secretsmanager:...}}`
 * references; they become `SecretValue.secretsManager(...)` and so leave the template as
 * references only.
 */
import { SecretValue } from 'aws-cdk-lib';
import { didYouMean } from '../private/text';
import { Finding, isSecretKey, StructureRule, TEST_CONNECTION_REQUEST, validateRequest, withoutSkeletonBlanks } from '../contract/request';
import { isPlainObject } from '../private/cfn-values';
import { parseDynamicReference, SECRET_FIX } from './secret-reference';
import { TestConnectionInput, TestConnectionType } from './test-connection-input';

/** The request members of the JSON, as props of GlueConnectionTest. */
export interface RequestJsonProps {
  readonly connectionName?: string;
  readonly catalogId?: string;
  readonly testConnectionInput?: TestConnectionInput;
}

/** The props, and notes on the skeleton placeholders that were taken as absent (shown as warnings). */
export interface ParsedRequestJson {
  readonly props: RequestJsonProps;
  readonly notes: string[];
}

const WHERE = 'requestJson';

/**
 * Parses the request JSON. Whatever is wrong with it is reported at once, each problem with the
 * member's path: members the API does not have (with the nearest name), values of the wrong
 * type, the API's limits and rules, secrets given as plain values.
 */
export function propsFromRequestJson(json: string): ParsedRequestJson {
  let request: unknown;
  try {
    request = JSON.parse(json);
  } catch (e) {
    throw new Error(`${WHERE}: is not valid JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(request)) {
    throw new Error(`${WHERE}: must be a JSON object with ConnectionName, CatalogId and/or TestConnectionInput`);
  }
  const notes: string[] = [];
  const cleaned = (withoutSkeletonBlanks(TEST_CONNECTION_REQUEST, request, [], notes, WHERE) ?? {}) as Record<string, unknown>;

  const errors: Finding[] = [];
  const members = Object.keys(TEST_CONNECTION_REQUEST.members);
  for (const key of Object.keys(cleaned)) {
    if (!members.includes(key)) {
      errors.push({ path: [key], message: `is not a member of the TestConnection request${didYouMean(key, members)} (allowed: ${members.join(', ')})` });
    }
  }
  // Warnings (keys and types beyond the model) are the construct's to show, in prop terms.
  errors.push(...validateRequest({
    ConnectionName: cleaned.ConnectionName,
    CatalogId: cleaned.CatalogId,
    TestConnectionInput: cleaned.TestConnectionInput,
  }).errors);
  const props = toProps(TEST_CONNECTION_REQUEST, cleaned, [], errors) as RequestJsonProps;

  if (errors.length > 0) {
    const lines = errors.map((f) => (f.path.length > 0 ? `${WHERE}.${f.path.join('.')}: ${f.message}` : `${WHERE}: ${f.message}`));
    throw new Error(lines.length === 1 ? lines[0] : `${WHERE} has ${lines.length} problems:\n  - ${lines.join('\n  - ')}`);
  }
  return { props, notes };
}

/**
 * The props of a structure given in the API's names, from the table. Secret members become
 * SecretValues; a `{{resolve:...}}` reference is required of them. Values of the wrong type are
 * left out (validateRequest reported them).
 */
function toProps(rule: StructureRule, value: Record<string, unknown>, path: string[], errors: Finding[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [apiName, member] of Object.entries(rule.members)) {
    const v = value[apiName];
    const at = [...path, apiName];
    if (v === undefined) continue;
    if (member.type === 'string') {
      if (typeof v !== 'string') continue;
      out[member.prop] = member.secret ? secretOf(v, at, errors) : member.named ? TestConnectionType.of(v) : v;
    } else if (member.type === 'structure') {
      if (isPlainObject(v)) out[member.prop] = toProps(member, v, at, errors);
    } else if (isPlainObject(v)) {
      const plain: Record<string, unknown> = {};
      const secret: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(v)) {
        if (typeof entry !== 'string') continue;
        if (isSecretKey(member, key)) secret[key] = secretOf(entry, [...at, key], errors);
        else plain[key] = entry;
      }
      if (member.secret) {
        out[member.prop] = secret;
      } else {
        if (Object.keys(plain).length > 0) out[member.prop] = plain;
        if (member.secretProp && Object.keys(secret).length > 0) out[member.secretProp] = secret;
      }
    }
  }
  return out;
}

/** A secret member's value: a dynamic reference becomes a SecretValue; anything else is refused. */
function secretOf(value: string, path: string[], errors: Finding[]): SecretValue | undefined {
  let location;
  try {
    location = parseDynamicReference(value, `${WHERE}.${path.join('.')}`);
  } catch (e) {
    errors.push({ path, message: (e as Error).message.replace(/^[^:]*: /, '') });
    return undefined;
  }
  if (!location) {
    errors.push({
      path,
      message: `holds a plain value; in request JSON a secret must be a reference, {{resolve:secretsmanager:secret-arn:SecretString:json-key}}, or ${SECRET_FIX}`,
    });
    return undefined;
  }
  return SecretValue.secretsManager(location.SecretId, {
    jsonField: location.JsonField, versionStage: location.VersionStage, versionId: location.VersionId,
  });
}
