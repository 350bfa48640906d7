/**
 * The test itself: wait for the connection to be READY (if asked), read the referenced
 * secrets, and call Glue's TestConnection. Every step races the deadline. For a connection in
 * a VPC, the network inspection (inspect-network.ts) runs when the test fails with a
 * network-shaped error, or before it (NetworkInspection.BEFORE_TEST); what it found goes into
 * `report` for the reason. It never turns a failed test into a passed one, nor a passed one
 * into a failed one; before the test, only a path that breaks a rule Glue enforces itself with
 * a documented error ends the test early.
 */
import { GetConnectionCommand, TestConnectionCommand, TestConnectionCommandInput } from '@aws-sdk/client-glue';
import type { TestConnectionInput } from '@aws-sdk/client-glue';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { NetworkInspection, SecretReference } from '../lib/contract/resource';
import { parsePointer } from '../lib/contract/request';
import { NetworkCheck } from '../lib/network/rules';
import { ClientOptions, Clients, createClients, RetryStats } from './aws';
import { Deadline } from './deadline';
import { Inspection, inspectNetwork } from './inspect-network';
import { Logger } from './log';
import { TestSettings } from '../lambda/properties';
import { buildReason, ConnectionStatusFailed, diagnose, errorName, NetworkPathBroken, SecretError, Subject } from './reason';
import { Redactor } from './redact';

/**
 * The share of the deadline that the steps before TestConnection leave to it: they retry
 * throttled requests only until this much is left. Half the deadline, at most a minute (a
 * TestConnection in a VPC takes tens of seconds); TestConnection itself retries until the end.
 */
export function testConnectionShareMs(budgetMs: number): number {
  return Math.min(budgetMs / 2, 60_000);
}

/** What the test learnt besides its outcome, for the reason and the log. */
export interface TestReport {
  inspection?: Inspection;
}

/** The checks whose violation Glue itself refuses with a documented error: a preflight may fail on them. */
const ENFORCED_BY_GLUE: readonly NetworkCheck[] = [NetworkCheck.S3_ROUTE, NetworkCheck.SELF_REFERENCING_INGRESS, NetworkCheck.ALL_EGRESS];
/** Categories of a failure that the network path can explain. */
const NETWORK_SHAPED = ['network', 'DNS', 'timeout'];

export async function testConnection(
  settings: TestSettings, deadline: Deadline, redactor: Redactor, log: Logger, clients: Clients, report: TestReport = {},
): Promise<void> {
  const { glue, secretsManager } = clients;
  const keepMs = testConnectionShareMs(deadline.budgetMs);
  if (settings.waitForReady && settings.connectionName) {
    await waitUntilReady(settings.connectionName, settings.catalogId, deadline, keepMs, log, glue);
  }
  // Before the test, the inspection leaves TestConnection its share of the deadline; after it, it may use what is left.
  const inspect = async (reserveMs: number) => {
    log.info('inspecting the network path', { connection: settings.connectionName });
    report.inspection = await inspectNetwork({ connectionName: settings.connectionName!, catalogId: settings.catalogId, region: await regionOf(clients) },
      clients, deadline, reserveMs);
    return report.inspection;
  };
  if (settings.networkInspection === NetworkInspection.BEFORE_TEST && settings.connectionName) {
    const findings = (await inspect(keepMs)).verdict?.findings.filter((f) => ENFORCED_BY_GLUE.includes(f.check)) ?? [];
    if (findings.length > 0) throw new NetworkPathBroken(findings);
  }
  const input = settings.input && await withSecrets(settings.input, settings.secretReferences, deadline, keepMs, redactor, secretsManager);
  const request: TestConnectionCommandInput = {
    ConnectionName: settings.connectionName,
    CatalogId: settings.catalogId,
    TestConnectionInput: input,
  };
  log.info('calling Glue TestConnection', { secrets: settings.secretReferences.length });
  try {
    await deadline.run('Glue TestConnection', () => glue.send(new TestConnectionCommand(request), { abortSignal: deadline.signal }));
  } catch (e) {
    // A test by TestConnectionInput has no PhysicalConnectionRequirements: no VPC to inspect.
    const { category, entry } = diagnose(e, { connectionName: settings.connectionName });
    if (settings.networkInspection !== NetworkInspection.DISABLED && settings.connectionName && !report.inspection
      && entry !== undefined && NETWORK_SHAPED.includes(category)) {
      await inspect(0);
    }
    throw e;
  }
}

/** What one test came to, for its caller's answer and log. */
export interface Outcome {
  readonly passed: boolean;
  /** Why it failed: the reason a person reads, redacted. */
  readonly reason?: string;
  /** The failure's category and catalogue entry (diagnose()). */
  readonly category?: string;
  readonly entry?: string;
  readonly error?: string;
  /** What the network inspection found, when it ran (each finding names the resource to change). */
  readonly inspection?: Inspection;
  readonly durationMs: number;
  readonly retries: RetryStats;
}

/** What runTest needs besides the settings. */
export interface RunTestOptions {
  /** The test's deadline, in milliseconds. */
  readonly budgetMs: number;
  readonly redactor: Redactor;
  readonly log: Logger;
  /** What the reason names; default: the settings' connection. */
  readonly subject?: Subject;
  /** The command line's client settings (region, profile, Glue endpoint, timeouts); the handler sets none. */
  readonly clients?: ClientOptions;
}

/**
 * One test from start to outcome, as every caller runs it (the deploy-time handler, the scheduled
 * run, the command line): its own deadline and clients, testConnection, and on failure the reason
 * and the inspection's verdict in the log. Never throws for a failed test.
 */
export async function runTest(settings: TestSettings, { budgetMs, redactor, log, subject, clients: clientOptions }: RunTestOptions): Promise<Outcome> {
  const startedAt = Date.now();
  const about: Subject = subject ?? { connectionName: settings.connectionName, connectionType: settings.input?.ConnectionType, catalogId: settings.catalogId };
  const deadline = new Deadline(budgetMs);
  const clients = createClients(deadline, log, clientOptions);
  const report: TestReport = {};
  try {
    await testConnection(settings, deadline, redactor, log, clients, report);
    if (report.inspection?.verdict?.findings.length) logInspection(log, report, 'warn');
    return { passed: true, inspection: report.inspection, durationMs: Date.now() - startedAt, retries: { ...clients.retries } };
  } catch (e) {
    const reason = buildReason(e, about, redactor, report.inspection);
    const { category, entry } = diagnose(e, about);
    if (report.inspection) logInspection(log, report, 'error');
    return {
      passed: false, reason, category, entry, error: errorName(e), inspection: report.inspection, durationMs: Date.now() - startedAt, retries: { ...clients.retries },
    };
  } finally {
    deadline.dispose();
    clients.destroy();
  }
}
/**
 * The inspection's whole verdict, for the log: every finding (the reason holds as many as fit),
 * the checks it could not decide and the calls that failed. A passed test with findings logs
 * them as a warning: Glue accepted the path, so they are not a failure.
 */
function logInspection(log: Logger, { inspection }: TestReport, level: 'warn' | 'error'): void {
  if (!inspection) return;
  log[level]('network inspection', {
    subnet: inspection.subnetId,
    findings: JSON.stringify(inspection.verdict?.findings ?? []),
    undecidable: (inspection.verdict?.undecidable ?? []).join(','),
    satisfied: (inspection.verdict?.satisfied ?? []).join(','),
    gaps: inspection.gaps.map((g) => `${g.action} (${g.error})`).join(', '),
  });
}

/** The region the clients call, for the S3 endpoint's service name. */
async function regionOf({ ec2 }: Clients): Promise<string | undefined> {
  try {
    return await ec2.config.region();
  } catch {
    return undefined;
  }
}

/**
 * Polls GetConnection until the connection's Status is READY, with capped exponential back-off
 * and full jitter. FAILED ends the test with Glue's StatusReason; a connection without a Status
 * (older connection types) is tested at once.
 */
async function waitUntilReady(name: string, catalogId: string | undefined, deadline: Deadline, keepMs: number, log: Logger, glue: Clients['glue']): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const { Connection } = await deadline.run(`connection "${name}" to become READY`,
      () => glue.send(new GetConnectionCommand({ Name: name, CatalogId: catalogId, HidePassword: true }), { abortSignal: deadline.signal }), keepMs);
    const status = Connection?.Status;
    if (status === undefined || status === 'READY') return;
    if (status === 'FAILED') {
      throw new ConnectionStatusFailed(`Glue reports the connection's status as FAILED: ${Connection?.StatusReason ?? 'no reason given'}`);
    }
    const delay = Math.random() * Math.min(10_000, 500 * 2 ** attempt);
    log.info('connection not ready yet', { status, attempt, delayMs: Math.round(delay) });
    await deadline.sleep(delay);
  }
}

/** A copy of the input with every referenced secret read and written at its target. */
async function withSecrets(input: TestConnectionInput, references: SecretReference[], deadline: Deadline, keepMs: number, redactor: Redactor, secretsManager: Clients['secretsManager']): Promise<TestConnectionInput> {
  const filled = structuredClone(input);
  const values = await Promise.all(references.map((ref) => readSecret(ref, deadline, keepMs, secretsManager)));
  references.forEach((ref, i) => {
    redactor.add(values[i]);
    setAt(filled as unknown as Record<string, unknown>, parsePointer(ref.Target), values[i]);
  });
  return filled;
}

async function readSecret(ref: SecretReference, deadline: Deadline, keepMs: number, secretsManager: Clients['secretsManager']): Promise<string> {
  let secretString: string | undefined;
  try {
    const result = await deadline.run(`secret ${ref.SecretId}`, () => secretsManager.send(new GetSecretValueCommand({
      SecretId: ref.SecretId, VersionStage: ref.VersionStage, VersionId: ref.VersionId,
    }), { abortSignal: deadline.signal }), keepMs);
    secretString = result.SecretString;
  } catch (e) {
    if ((e as Error).name === 'DeadlineExceeded') throw e;
    throw new SecretError(ref.Target, ref.SecretId, e);
  }
  if (secretString === undefined) {
    throw new SecretError(ref.Target, ref.SecretId, new Error('the secret has no SecretString (binary secrets are not supported)'));
  }
  if (ref.JsonField === undefined) return secretString;
  let value: unknown;
  try {
    value = (JSON.parse(secretString) as Record<string, unknown>)[ref.JsonField];
  } catch {
    throw new SecretError(ref.Target, ref.SecretId, new Error(`the SecretString is not JSON, so it has no key "${ref.JsonField}"`));
  }
  if (typeof value !== 'string') {
    throw new SecretError(ref.Target, ref.SecretId, new Error(`the SecretString has no string at JSON key "${ref.JsonField}"`));
  }
  return value;
}

function setAt(root: Record<string, unknown>, path: string[], value: string): void {
  let node = root;
  for (const key of path.slice(0, -1)) {
    if (node[key] === undefined) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  // defineProperty: a custom credential named "__proto__" is data, not the object's prototype.
  Object.defineProperty(node, path[path.length - 1], { value, enumerable: true, writable: true, configurable: true });
}
