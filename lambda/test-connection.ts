/**
 * The test itself: wait for the connection to be READY (if asked), read the referenced
 * secrets, and call Glue's TestConnection. Every step races the deadline.
 */
import { GetConnectionCommand, TestConnectionCommand, TestConnectionCommandInput } from '@aws-sdk/client-glue';
import type { TestConnectionInput } from '@aws-sdk/client-glue';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { parsePointer, SecretReference } from '../lib/contract';
import { Clients } from './aws';
import { Deadline } from './deadline';
import { Logger } from './log';
import { TestSettings } from './properties';
import { ConnectionStatusFailed, SecretError } from './reason';
import { Redactor } from './redact';

/**
 * The share of the deadline that the steps before TestConnection leave to it: they retry
 * throttled requests only until this much is left. Half the deadline, at most a minute (a
 * TestConnection in a VPC takes tens of seconds); TestConnection itself retries until the end.
 */
export function testConnectionShareMs(budgetMs: number): number {
  return Math.min(budgetMs / 2, 60_000);
}

export async function testConnection(settings: TestSettings, deadline: Deadline, redactor: Redactor, log: Logger, { glue, secretsManager }: Clients): Promise<void> {
  const keepMs = testConnectionShareMs(deadline.budgetMs);
  if (settings.waitForReady && settings.connectionName) {
    await waitUntilReady(settings.connectionName, settings.catalogId, deadline, keepMs, log, glue);
  }
  const input = settings.input && await withSecrets(settings.input, settings.secretReferences, deadline, keepMs, redactor, secretsManager);
  const request: TestConnectionCommandInput = {
    ConnectionName: settings.connectionName,
    CatalogId: settings.catalogId,
    TestConnectionInput: input,
  };
  log.info('calling Glue TestConnection', { secrets: settings.secretReferences.length });
  await deadline.run('Glue TestConnection', () => glue.send(new TestConnectionCommand(request), { abortSignal: deadline.signal }));
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
