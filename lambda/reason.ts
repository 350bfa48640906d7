/**
 * The reason a person reads when a test fails: which connection, what category, Glue's error
 * name and message (cut, not dropped), and what to do. One line of plain ASCII, at most
 * MAX_REASON_LENGTH characters, with every secret masked.
 *
 * | error                                          | category      |
 * | ---------------------------------------------- | ------------- |
 * | login refused (password, user, OAuth grant)    | credentials   |
 * | security group, subnet route, refused, timeout | network       |
 * | host name does not resolve                     | DNS           |
 * | AccessDenied, KMS (GlueEncryptionException)    | permissions   |
 * | missing connection, invalid input, bad secret  | configuration |
 * | throttling, 5xx, conflict, quota, lost link    | Glue service  |
 * | the handler's own deadline                     | timeout       |
 * | anything else                                  | unexpected    |
 */
import { MAX_REASON_LENGTH } from '../lib/contract';
import { DeadlineExceeded } from './deadline';
import { PropertyError } from './properties';
import { Redactor } from './redact';

export type Category = 'credentials' | 'network' | 'DNS' | 'permissions' | 'configuration' | 'Glue service' | 'timeout' | 'unexpected';

export interface Diagnosis {
  readonly category: Category;
  /** What to do, one sentence. */
  readonly fix: string;
}

/** What the test was about, for the reason's opening words. */
export interface Subject {
  readonly connectionName?: string;
  readonly connectionType?: string;
  readonly catalogId?: string;
}

/** A failure while reading one secret reference; names the target, never the value. */
export class SecretError extends Error {
  public readonly name = 'SecretError';
  constructor(public readonly target: string, public readonly secretId: string, public readonly cause: unknown) {
    super(`could not read the secret for TestConnectionInput${target.replace(/\//g, '.')} from ${secretId}: ${errorName(cause)}: ${errorMessage(cause)}`);
  }
}

/** Glue reported the connection's Status as FAILED while the handler waited for READY. */
export class ConnectionStatusFailed extends Error {
  public readonly name = 'ConnectionStatusFailed';
}

const CREDENTIALS = /password authentication failed|authentication failed|access denied for user|login failed|invalid (user ?name|password|credentials)|incorrect (user|password)|bad credentials|invalid_grant|invalid_client|unauthori[sz]ed|wrong password/i;
const DNS = /unknownhost|unknown host|could not resolve|getaddrinfo|enotfound|name or service not known|name resolution|nodename nor servname/i;
const S3_ROUTE = /s3 endpoint|nat gateway/i;
const SECURITY_GROUP = /security group|ingress/i;
/** The handler's own connection to AWS failed (the SDK retried first). */
const NETWORK_TO_AWS = /^TimeoutError$|socket hang up|ECONNRESET|EPIPE|ETIMEDOUT|ECONNREFUSED/;
const UNREACHABLE = /connection refused|econnrefused|timed out|timeout|unreachable|no route to host|communications link failure|could not connect|unable to connect|connect failed/i;

/** Sorts an error into a category and says what to do about it. */
export function diagnose(error: unknown, subject: Subject): Diagnosis {
  const name = errorName(error);
  const message = errorMessage(error);
  const subnet = /subnet-[0-9a-z]+/i.exec(message)?.[0];
  const groups = [...new Set(message.match(/sg-[0-9a-z]+/gi) ?? [])];
  const connection = subject.connectionName ? `connection "${subject.connectionName}"` : 'the connection';

  if (error instanceof DeadlineExceeded) {
    return { category: 'timeout', fix: `find out why ${error.stage} is slow, or raise the test's timeout (this attempt had ${Math.round(error.budgetMs / 1000)} s).` };
  }
  if (error instanceof PropertyError) {
    return { category: 'configuration', fix: 'correct the property in the stack (the construct checks it at synth time; was the template edited by hand?).' };
  }
  if (error instanceof SecretError) {
    const cause = errorName(error.cause);
    return /AccessDenied|KMS|Decryption/i.test(cause)
      ? { category: 'permissions', fix: `let the test handler read ${error.secretId} (secretsmanager:GetSecretValue, and kms:Decrypt on its key), e.g. with test.addToHandlerPolicy().` }
      : { category: 'configuration', fix: `check that secret ${error.secretId} exists in this account and region and holds the JSON key the test names.` };
  }
  if (error instanceof ConnectionStatusFailed) {
    return { category: 'configuration', fix: `fix ${connection} so that Glue can create it (see the status reason), then deploy again.` };
  }
  switch (name) {
    case 'AccessDeniedException':
      return { category: 'permissions', fix: 'let the test handler call glue:TestConnection and read what the connection uses (add statements with test.addToHandlerPolicy()), or check Lake Formation permissions on the catalog.' };
    case 'GlueEncryptionException':
      return { category: 'permissions', fix: "let the test handler use the connection's KMS key (kms:Decrypt), in the key policy and with test.addToHandlerPolicy()." };
    case 'EntityNotFoundException':
      return { category: 'configuration', fix: `check that ${connection} exists in ${subject.catalogId ? `catalog ${subject.catalogId}` : "this account's catalog"} in this region, and that the test depends on it (use the connection prop for one defined in this app).` };
    case 'FederationSourceException':
      return { category: 'configuration', fix: "check the federated source's settings and that it is reachable and accepts Glue's requests." };
    case 'ResourceNumberLimitExceededException':
      return { category: 'Glue service', fix: 'a Glue quota is reached: remove unused resources or ask for a quota increase, then deploy again.' };
    case 'ConflictException':
      return { category: 'Glue service', fix: 'another operation on the connection was in progress: deploy again once it has finished.' };
    case 'InternalServiceException':
    case 'ThrottlingException':
    case 'ServiceUnavailableException':
      return { category: 'Glue service', fix: 'Glue failed or throttled even after retries: deploy again; if it persists, check the AWS Health Dashboard.' };
    case 'OperationTimeoutException':
      return { category: 'network', fix: `Glue timed out reaching the data store: check that the connection's subnet routes to it and that its security groups admit the traffic.` };
  }
  if (name === 'InvalidInputException' || name === 'ValidationException') {
    if (CREDENTIALS.test(message)) {
      return { category: 'credentials', fix: `check the user name and password of ${connection} (or the secret its SECRET_ID names) against the data store.` };
    }
    if (S3_ROUTE.test(message)) {
      return { category: 'network', fix: `add an S3 gateway endpoint to the route table of ${subnet ?? "the connection's subnet"}, or a route to a NAT gateway.` };
    }
    if (SECURITY_GROUP.test(message)) {
      const group = groups.length > 0 ? `security group ${groups.join(' or ')}` : "one of the connection's security groups";
      return { category: 'network', fix: `add to ${group} an inbound rule for all TCP ports whose source is the group itself.` };
    }
    if (DNS.test(message)) {
      return { category: 'DNS', fix: "check the host name of the connection; from the connection's subnet it must resolve in the VPC's DNS." };
    }
    if (UNREACHABLE.test(message)) {
      return { category: 'network', fix: "check that the data store listens on the connection's host and port and that its security group admits the connection's security group." };
    }
    return { category: 'configuration', fix: `correct the properties of ${connection} that Glue names.` };
  }
  if (DNS.test(message) || DNS.test(name)) {
    return { category: 'DNS', fix: 'the handler could not resolve an AWS endpoint: check AWS_ENDPOINT_URL settings and the VPC DNS of the handler.' };
  }
  if (NETWORK_TO_AWS.test(name) || NETWORK_TO_AWS.test(message)) {
    return { category: 'Glue service', fix: 'the handler lost its connection to an AWS endpoint even after retries: deploy again; if it persists, check the handler\'s network path to AWS.' };
  }
  return { category: 'unexpected', fix: "see the test handler's log for details, then deploy again." };
}

/** Builds the reason: one ASCII line, secrets masked, at most MAX_REASON_LENGTH characters. */
export function buildReason(error: unknown, subject: Subject, redactor: Redactor): string {
  const { category, fix } = diagnose(error, subject);
  const what = subject.connectionName
    ? `Glue connection "${clean(redactor.redact(subject.connectionName)).slice(0, 255)}"`
    : `Glue connection input${subject.connectionType ? ` (${clean(subject.connectionType).slice(0, 40)})` : ''}`;
  // A property the handler cannot use means no test ran.
  const verdict = error instanceof PropertyError ? 'could not be tested' : 'failed its test';
  const head = `${what} ${verdict} (${category}): ${clean(errorName(error)).slice(0, 100)}: `;
  const tail = ` Fix: ${clean(redactor.redact(fix))}`;
  const room = MAX_REASON_LENGTH - head.length - tail.length;
  // Masked first, so that a cut never leaves part of a secret; then cut to a bounded length,
  // so that the patterns below take linear time whatever size of message Glue sends.
  const message = redactor.redact(errorMessage(error));
  const bound = 4 * MAX_REASON_LENGTH;
  let detail = clean(message.slice(0, bound)).replace(/[.\s]+$/, '');
  if (message.length > bound || detail.length + 1 > room) detail = detail.slice(0, Math.max(0, room - 3)).trimEnd() + '...';
  else detail += '.';
  return (head + detail + tail).slice(0, MAX_REASON_LENGTH);
}

/** Plain printable ASCII on one line: other characters become '?', runs of space one space. */
export function clean(text: string): string {
  return text
    .replace(/[\r\n\t\f\v]+/g, ' ')
    .replace(/[^\x20-\x7e]/gu, '?')
    .replace(/ {2,}/g, ' ')
    .trim();
}

export function errorName(error: unknown): string {
  if (error instanceof Error) return error.name || 'Error';
  if (error !== null && typeof error === 'object' && typeof (error as { name?: unknown }).name === 'string') {
    return (error as { name: string }).name;
  }
  return 'Error';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || '(no message)';
  if (error !== null && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return String(error);
}
