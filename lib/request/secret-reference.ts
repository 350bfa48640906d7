/**
 * Turns CDK `SecretValue`s into references the handler resolves at run time, and grants the
 * handler read access to exactly the secrets referenced.
 *
 * A `SecretValue` made by `SecretValue.secretsManager(...)` (which is what
 * `secret.secretValue` and `secret.secretValueFromJson(...)` return) wraps a CloudFormation
 * dynamic reference `{{resolve:secretsmanager:<id>:SecretString:<json-key>:<stage>:<version>}}`.
 * Put into the custom resource's properties, CloudFormation would resolve it into the event
 * the Lambda receives. So it is taken apart here and only its parts enter the template.
 */
import { ArnFormat, CfnDynamicReference, SecretValue, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConstruct } from 'constructs';
import type { SecretReference } from '../contract/resource';

const DYNAMIC_REFERENCE = /^\{\{resolve:([a-z-]+):([\s\S]*)\}\}$/;
/** A full secret ARN ends with the 6 random characters Secrets Manager appends to the name. */
const FULL_SECRET_ARN = /^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:.+-[A-Za-z0-9]{6}$/;

/** The fix a user reads whenever a secret is given in a form the construct cannot keep secret. */
export const SECRET_FIX = 'pass SecretValue.secretsManager(secretArn, { jsonField }) or secret.secretValueFromJson(key)';

/** The parts of a Secrets Manager dynamic reference, without the target. */
export type SecretLocation = Omit<SecretReference, 'Target'>;

/**
 * Takes a `SecretValue` apart into a secret location, or explains why it cannot be used.
 * `property` names the prop in the messages.
 */
export function locateSecret(value: unknown, property: string): SecretLocation {
  if (!SecretValue.isSecretValue(value)) {
    throw new Error(`${property}: must be a SecretValue, not a plain ${typeof value}; ${SECRET_FIX}`);
  }
  const unwrapped = value.unsafeUnwrap(); // a token string, never a resolved secret
  if (!Token.isUnresolved(unwrapped)) {
    throw new Error(`${property}: is a plain-text SecretValue; it would be written into the template. ${capitalize(SECRET_FIX)}`);
  }
  const inner = Tokenization.reverse(unwrapped);
  // A dynamic reference is an intrinsic whose value is the `{{resolve:...}}` string itself.
  const resolved: unknown = inner instanceof CfnDynamicReference ? inner.resolve(undefined as never) : undefined;
  const literal = typeof resolved === 'string' ? resolved : undefined;
  const match = literal !== undefined ? DYNAMIC_REFERENCE.exec(literal) : null;
  if (!match) {
    throw new Error(`${property}: is not a Secrets Manager reference (a CloudFormation parameter or resource attribute would reach the template or the event); ${SECRET_FIX}`);
  }
  const [, service, key] = match;
  if (service === 'ssm-secure') {
    throw new Error(`${property}: SSM SecureString parameters are not supported; store the value in Secrets Manager and ${SECRET_FIX}`);
  }
  if (service !== 'secretsmanager') {
    throw new Error(`${property}: "${service}" dynamic references are not supported; ${SECRET_FIX}`);
  }
  return parseSecretsManagerKey(key, property);
}

/**
 * Parses the key of a `{{resolve:secretsmanager:...}}` reference:
 * `secret-id[:SecretString[:json-key[:version-stage[:version-id]]]]`. The secret id may itself
 * be an ARN, with colons, so the optional fields are found from the right.
 */
export function parseSecretsManagerKey(key: string, property: string): SecretLocation {
  const parts = key.split(':');
  const at = parts.lastIndexOf('SecretString');
  const hasFields = at >= 1 && parts.length - at <= 4;
  const secretId = hasFields ? parts.slice(0, at).join(':') : key;
  if (!secretId) {
    throw new Error(`${property}: "${key}" is not a Secrets Manager reference key (secret-id:SecretString:json-key:version-stage:version-id)`);
  }
  const [jsonField, versionStage, versionId] = hasFields ? parts.slice(at + 1) : [];
  return {
    SecretId: secretId,
    ...(jsonField ? { JsonField: jsonField } : {}),
    ...(versionStage ? { VersionStage: versionStage } : {}),
    ...(versionId ? { VersionId: versionId } : {}),
  };
}

/**
 * Parses a `{{resolve:secretsmanager:...}}` string (the form secrets take in request JSON),
 * or returns undefined when the string is not a dynamic reference.
 */
export function parseDynamicReference(text: string, property: string): SecretLocation | undefined {
  const match = DYNAMIC_REFERENCE.exec(text);
  if (!match) return undefined;
  if (match[1] !== 'secretsmanager') {
    throw new Error(`${property}: "${match[1]}" dynamic references are not supported; use {{resolve:secretsmanager:secret-arn:SecretString:json-key}}`);
  }
  return parseSecretsManagerKey(match[2], property);
}

/**
 * Grants `grantee` `secretsmanager:GetSecretValue` on one secret, named by ARN, partial ARN or
 * name (possibly a token), and `kms:Decrypt` on its customer managed key where a secret
 * construct in the app knows that key.
 */
export function grantSecretValue(scope: IConstruct, grantee: iam.IGrantable, secretId: string): void {
  const construct = findSecretConstruct(scope, secretId);
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['secretsmanager:GetSecretValue'],
    resourceArns: [secretPolicyArn(scope, secretId, construct)],
  });
  construct?.encryptionKey?.grantDecrypt(grantee);
}

/**
 * The ARN to put in a policy for a secret. Policies need the full ARN; a partial ARN or a
 * name gets the `-??????` wildcard that stands for the random suffix, as CDK's own grants do.
 */
function secretPolicyArn(scope: IConstruct, secretId: string, construct: ISecret | undefined): string {
  if (construct) return construct.secretFullArn ?? `${construct.secretArn}-??????`;
  // No secret's name or ARN holds * or ?, and IAM reads them as wildcards: such an id would
  // grant every secret it matches ("prod/*", "*") instead of the one the test reads.
  if (!Token.isUnresolved(secretId) && /[*?]/.test(secretId)) {
    throw new Error(`secret "${secretId}": holds * or ?, which no Secrets Manager secret name or ARN contains and which IAM reads as `
      + 'wildcards, so the test handler would be granted every secret it matches. Name the one secret (SECRET_ID, SecretArn or '
      + 'SecretValue.secretsManager) by its name or ARN.');
  }
  // A token that is no secret construct's ARN or name is taken to be a full ARN.
  if (Token.isUnresolved(secretId) || FULL_SECRET_ARN.test(secretId)) return secretId;
  if (secretId.startsWith('arn:')) return `${secretId}-??????`;
  return Stack.of(scope).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${secretId}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * The secret construct of the app (created, or imported with `Secret.fromSecret*`) whose ARN
 * or name is `secretId`, if any: it knows whether its ARN is partial and which key encrypts it.
 */
function findSecretConstruct(scope: IConstruct, secretId: string): ISecret | undefined {
  return scope.node.root.node.findAll().filter(isSecret)
    .find((s) => s.secretArn === secretId || s.secretFullArn === secretId || s.secretName === secretId);
}

function isSecret(c: IConstruct): c is ISecret & IConstruct {
  const candidate = c as Partial<ISecret>;
  return typeof candidate.secretArn === 'string' && typeof candidate.grantRead === 'function';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
