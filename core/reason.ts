/**
 * The reason a person reads when a test fails: which connection, what category, Glue's error
 * name and message (cut, not dropped), and what to do. One line of plain ASCII, at most
 * MAX_REASON_LENGTH characters, with every secret masked.
 *
 * | error                                               | where its fix comes from          |
 * | --------------------------------------------------- | --------------------------------- |
 * | the handler's deadline, a property, a secret read   | here (the handler's own errors)   |
 * | anything Glue or its driver reports                 | the catalogue (failure-catalogue) |
 * | the handler's own link to AWS (DNS, resets)         | here                              |
 * | a message the catalogue does not know               | "unexpected", Glue's text kept    |
 */
import { MAX_REASON_LENGTH } from '../lib/contract/resource';
import { NetworkCheck, NetworkFinding } from '../lib/network/rules';
import { DeadlineExceeded } from './deadline';
import { Category, grantLine, lookUp } from './failure-catalogue';
import type { Inspection } from './inspect-network';
import { PropertyError } from '../lambda/properties';
import { Redactor } from './redact';

export type { Category } from './failure-catalogue';

export interface Diagnosis {
  readonly category: Category;
  /** What to do, one sentence. */
  readonly fix: string;
  /** The catalogue entry that matched, for the log; absent for the handler's own errors and unknown messages. */
  readonly entry?: string;
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

/** The inspection before the test found the path broken in a way Glue refuses (NetworkInspection.BEFORE_TEST). */
export class NetworkPathBroken extends Error {
  public readonly name = 'NetworkPathBroken';
  constructor(public readonly findings: readonly NetworkFinding[]) {
    super(`the network inspection before the test found what Glue refuses, so TestConnection was not called: ${findings.map((f) => f.problem).join('; ')}`);
  }
}

const DNS = /getaddrinfo|ENOTFOUND|EAI_AGAIN/;
/** The handler's own connection to AWS failed (the SDK retried first). */
const NETWORK_TO_AWS = /^TimeoutError$|socket hang up|ECONNRESET|EPIPE|ETIMEDOUT|ECONNREFUSED/;

/** Sorts an error into a category and says what to do about it. */
export function diagnose(error: unknown, subject: Subject): Diagnosis {
  const name = errorName(error);
  const message = errorMessage(error);
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
      ? { category: 'permissions', fix: `let the test handler read ${error.secretId} (secretsmanager:GetSecretValue, and kms:Decrypt on its key), e.g. with secret.grantRead(test) and key.grantDecrypt(test).` }
      : { category: 'configuration', fix: `check that secret ${error.secretId} exists in this account and region and holds the JSON key the test names.` };
  }
  if (error instanceof NetworkPathBroken) {
    return { category: 'network', fix: `${error.findings.map((f) => f.fix).join('; ')}.` };
  }
  if (error instanceof ConnectionStatusFailed) {
    return { category: 'configuration', fix: `fix ${connection} so that Glue can create it (see the status reason), then deploy again.` };
  }
  // The handler's own link to AWS, before the catalogue: "connect ECONNREFUSED" is not the data store's.
  const code = (error as { code?: unknown } | null)?.code;
  const own = !/Exception$/.test(name) && (typeof code === 'string' || name === 'TimeoutError' || name === 'Error');
  if (own && (DNS.test(message) || DNS.test(String(code)))) {
    return { category: 'DNS', fix: 'the handler could not resolve an AWS endpoint: check AWS_ENDPOINT_URL settings and the VPC DNS of the handler.' };
  }
  if (own && (NETWORK_TO_AWS.test(name) || NETWORK_TO_AWS.test(message) || NETWORK_TO_AWS.test(String(code)))) {
    return { category: 'Glue service', fix: 'the handler lost its connection to an AWS endpoint even after retries: deploy again; if it persists, check the handler\'s network path to AWS.' };
  }
  // Bounded, so that the catalogue's patterns take linear time whatever size of message Glue sends.
  const found = lookUp(name, message.slice(0, 4 * MAX_REASON_LENGTH));
  if (found) {
    return { category: found.entry.category, fix: `${found.entry.fix(found.match, { connection, catalog: subject.catalogId ? `catalog ${subject.catalogId}` : "this account's catalog" })}.`, entry: found.entry.id };
  }
  return {
    category: 'unexpected',
    fix: "this library's catalogue of Glue failures does not know this message, so it has no specific advice: act on Glue's message above "
      + "(the test handler's log has it whole), then deploy again.",
  };
}

/** The catalogue entry whose failure each network check explains, to put that finding first. */
const CHECK_OF_ENTRY: Readonly<Record<string, NetworkCheck>> = {
  's3-endpoint-or-nat-missing': NetworkCheck.S3_ROUTE,
  'security-group-inbound-rule': NetworkCheck.SELF_REFERENCING_INGRESS,
  'security-group-outbound-rule': NetworkCheck.ALL_EGRESS,
  'subnet-out-of-addresses': NetworkCheck.FREE_IP_ADDRESSES,
  'no-private-dns': NetworkCheck.DNS_ATTRIBUTES,
  'unknown-host': NetworkCheck.DNS_ATTRIBUTES,
  'no-valid-connection': NetworkCheck.AVAILABILITY_ZONE,
};

/** The part of the reason a Fix may take, at most: Glue's message keeps at least the rest. */
const MAX_FIX_LENGTH = 600;

/**
 * The inspection's findings, most likely cause first: the one Glue's message points at, then
 * the rules' order (itself most likely first).
 */
export function orderedFindings(inspection: Inspection | undefined, entry: string | undefined): NetworkFinding[] {
  const findings = [...(inspection?.verdict?.findings ?? [])];
  const first = entry === undefined ? undefined : CHECK_OF_ENTRY[entry];
  return findings.sort((a, b) => Number(b.check === first) - Number(a.check === first));
}

/**
 * The Fix: the inspection's findings when it found any (each names the resource to change),
 * else the catalogue's fix; then what the inspection could not read, with the grant that lets
 * it, so the reader knows the path was not fully checked.
 */
function fixWith(diagnosis: Diagnosis, inspection: Inspection | undefined): string {
  if (!inspection) return diagnosis.fix;
  const findings = orderedFindings(inspection, diagnosis.entry);
  // Sorted: the calls run in parallel, and the reason must not depend on which answered first.
  const denied = [...new Set(inspection.gaps.filter((g) => g.denied).map((g) => g.action))].sort();
  const failed = [...new Set(inspection.gaps.filter((g) => !g.denied).map((g) => `${g.action} (${g.error})`))].sort();
  const notes = [
    ...(denied.length > 0 ? [`The network inspection was denied ${denied.join(', ')}: allow ${denied.length > 1 ? 'them' : 'it'} with `
      + `${grantLine(denied)} to have the broken piece named.`] : []),
    ...(failed.length > 0 ? [`The network inspection could not read ${failed.join(', ')}.`] : []),
  ];
  let fix: string;
  if (findings.length === 0) {
    const none = inspection.verdict && inspection.gaps.length === 0 && inspection.subnetId
      ? [`The network inspection found nothing wrong in the path of ${inspection.subnetId}.`] : [];
    fix = [diagnosis.fix, ...none, ...notes].join(' ');
  } else {
    // Whole findings only, as many as fit; the log has them all.
    const parts: string[] = [];
    for (const [i, finding] of findings.entries()) {
      const more = findings.length - i - 1;
      const next = [...parts, finding.fix].join('; ') + (more > 0 ? ` (+${more} more in the handler's log)` : '') + '.';
      if (parts.length > 0 && next.length > MAX_FIX_LENGTH) {
        parts.push(`and ${findings.length - i} more in the handler's log`);
        break;
      }
      parts.push(finding.fix);
    }
    fix = [parts.join('; ') + '.', ...notes].join(' ');
  }
  return fix.length > MAX_FIX_LENGTH ? fix.slice(0, MAX_FIX_LENGTH - 3).trimEnd() + '...' : fix;
}

/** Builds the reason: one ASCII line, secrets masked, at most MAX_REASON_LENGTH characters. */
export function buildReason(error: unknown, subject: Subject, redactor: Redactor, inspection?: Inspection): string {
  const diagnosis = diagnose(error, subject);
  const { category } = diagnosis;
  // Masked before fixWith cuts it: a fix may repeat part of Glue's message, and a cut must never
  // leave part of a secret.
  const fix = fixWith({ ...diagnosis, fix: redactor.redact(diagnosis.fix) }, inspection);
  const what = subject.connectionName
    ? `Glue connection "${clean(redactor.redact(subject.connectionName)).slice(0, 255)}"`
    : `Glue connection input${subject.connectionType ? ` (${clean(subject.connectionType).slice(0, 40)})` : ''}`;
  // A property the handler cannot use means no test ran.
  const verdict = error instanceof PropertyError ? 'could not be tested' : 'failed its test';
  const head = `${what} ${verdict} (${category}): ${clean(redactor.redact(errorName(error))).slice(0, 100)}: `;
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
