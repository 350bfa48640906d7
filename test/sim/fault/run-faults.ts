/**
 * The fault-injection suite's runner, shared by `fault.test.ts` (jest, CI size) and the command
 * line (`npx tsx test/sim/fault/run-faults.ts --seed 42 --events 10000 [--lanes 48] [--bundle other.js] [--debug]`).
 *
 * A seeded PRNG draws a plan for every event up front: its type (Create, Update, Delete, or an
 * Update while the stack is UPDATE_ROLLBACK_IN_PROGRESS), what it tests (a seeded connection
 * with good credentials in a secret, the same with a wrong password, or a TestConnectionInput
 * whose password is a secret reference), the faults the local Glue injects into the event's Glue
 * requests (throttling bursts, 500 InternalServiceException, connection resets, slow answers
 * within and past the deadline, malformed JSON, undeclared and declared error names), transient
 * faults on DescribeStacks, and how many of its answer PUTs the response endpoint fails (one to
 * four). Every event runs through aws-cdk-lib's own Provider framework code and our bundled
 * handler (assets/handler/index.js; `npm run bundle`) against moto + the in-process Glue and a real
 * PostgreSQL, so that clean Glue answers pass and a wrong password fails for real.
 *
 * Events run in `lanes`: each lane is one stack with its own connections, so that a fault plan
 * reaches exactly its own event's requests while lanes overlap (sendConcurrent; concurrent
 * invocations get their own handler containers, as on Lambda). The schedule is a function of the
 * seed; the SDK's and the handler's back-off jitter (Math.random) and the interleaving are not.
 *
 * Checked for EVERY event (a failed check is a violation; the suite fails on any):
 * - exactly one answer reached the response endpoint, well-formed (no endpoint violations, no
 *   framework error): none lost, none duplicated;
 * - in time: the answer arrived within the handler's own bound (its Lambda timeout less the
 *   handler's 10 s answer margin; for a Delete, at once) plus the framework's PUT retry sleeps
 *   for the PUTs that failed (1 + 2 + 4 + 8 s at most) plus SLACK_MS (5 s: the machine's
 *   scheduling, not the handler's), so always before the Lambda timeout; never by Lambda's
 *   timeout;
 * - Delete and the rollback Update answer SUCCESS (the rollback with Result SKIPPED);
 * - no answer over 4096 bytes; the handler's reason (the FAILED Reason's first line, and
 *   Data.Reason) is printable ASCII of at most MAX_REASON_LENGTH characters, the whole Reason
 *   ASCII; no answer contains a password;
 * - the outcome the plan implies: clean Glue answers, throttling bursts of any length that fit
 *   the deadline and other transient faults that the retries absorb (fewer than their 5
 *   attempts) pass; a wrong password, a definitive Glue error, a burst with 5 or more
 *   non-throttling transient faults and an answer slower than the deadline fail, with the
 *   category and error name the reason should give where the plan determines them; the
 *   physical id is the one CloudFormation expects (the framework's marker after a failed Create).
 *
 * Per-event cost is kept small: most faults answer at once; "slow past the deadline" runs the
 * handler with a 12 s Lambda timeout (so its deadline is 2 s) rather than a long one; a normal
 * event's handler has a 30 s Lambda timeout (a 20 s deadline, more than the 7.5 s that four
 * throttling back-offs can take), one with 5 or more throttling faults an 80 s timeout (a 70 s
 * deadline: six back-offs take up to 31.5 s, and a step before TestConnection keeps half the
 * deadline for it). The handler keeps its default retry settings (throttling retried within the
 * deadline, 5 attempts for other transient errors: core/aws.ts); nothing in
 * handlerEnvironment changes them.
 */
import type { TestConnectionInput } from '@aws-sdk/client-glue';
import { monitorEventLoopDelay } from 'perf_hooks';
import { MAX_REASON_LENGTH } from '../../../lib/contract/resource';
import { Fault, LocalAws, startLocalAws } from '../../../sim/local-aws';
import { Pg, startPostgres } from '../../../sim/postgres';
import { createProviderFramework, EventResult, ProviderFramework, SimEvent } from '../../../sim/provider-framework';
import { ResponseEndpoint, startResponseEndpoint } from '../../../sim/response-endpoint';
import { createSecret, seedDeployment } from '../../../sim/seed';

// ---------------------------------------------------------------------------------------------
// Constants of the schedule

/** The handler's Lambda timeout for ordinary events: a 20 s deadline. */
export const NORMAL_TIMEOUT_S = 30;
/**
 * No Glue rate limit in this suite: every event's outcome is planned, and a throttle the plan
 * does not know of changes it (in an event with a 2 s deadline there is no time to retry one, so
 * the right answer becomes "ThrottlingException" instead of the planned timeout; on top of a
 * planned throttling burst it can outlast the deadline). At 50 requests a second, 1,000 events
 * had 23 such mismatches, all correct answers to what Glue did. The rate-limited Glue is the
 * load suite's subject (test/sim/load); planned throttling bursts stay here.
 */
export const FAULT_GLUE_RATE_LIMITS = {};
/** The handler's Lambda timeout for events with 5 or more throttling faults: a 70 s deadline. */
export const LONG_TIMEOUT_S = 80;
/** The handler's Lambda timeout for events whose Glue answers past the deadline: a 2 s deadline. */
export const TIGHT_TIMEOUT_S = 12;
/** How much later than a tight event's deadline a "slow past the deadline" answer comes: far more than any scheduling delay. */
const PAST_DEADLINE_MS = (TIGHT_TIMEOUT_S * 1000 - 10_000) + 30_000;
/** What the handler keeps back from its remaining time to answer in (lambda/index.ts). */
const ANSWER_MARGIN_MS = 10_000;
/** The attempts per request failing with non-throttling transient errors (core/aws.ts, DEFAULT_MAX_ATTEMPTS). */
const MAX_ATTEMPTS = 5;
/**
 * Scheduling slack on top of every bound: 2 cores, all lanes, moto's and PostgreSQL's clients in
 * one process. Half the handler's 10 s answer margin, so an answer within it still arrives
 * before the Lambda timeout (plus the PUT retries).
 */
export const SLACK_MS = 5_000;
/** The framework's PUT retries: 1 s, doubling, full jitter (runtime/cfn-response.js). */
const putRetrySleepBound = (failedPuts: number) => Array.from({ length: failedPuts }, (_, i) => 1000 * 2 ** i).reduce((a, b) => a + b, 0);
const CREATE_FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';

// ---------------------------------------------------------------------------------------------
// Seeded PRNG (mulberry32)

export type Random = () => number;

export function prng(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (random: Random, min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];
function weighted<T extends string>(random: Random, weights: Readonly<Record<T, number>>): T {
  const entries = Object.entries(weights) as [T, number][];
  let r = random() * entries.reduce((sum, [, w]) => sum + w, 0);
  for (const [key, w] of entries) {
    if ((r -= w) < 0) return key;
  }
  return entries[entries.length - 1][0];
}

// ---------------------------------------------------------------------------------------------
// Plans

export type EventType = 'Create' | 'Update' | 'Delete' | 'RollbackUpdate';
export type Target = 'good-by-name' | 'wrong-password-by-name' | 'good-by-input';
type Outcome = 'PASS' | 'FAIL';

/** A fault with the label it is counted under. */
interface LabelledFault {
  readonly fault: Fault;
  readonly label: string;
  /** Glue gives this answer to every request of the event, as it would to a repeat (not a one-off). */
  readonly persistent?: boolean;
}

export interface EventPlan {
  readonly index: number;
  readonly type: EventType;
  readonly target: Target;
  readonly logicalResourceId: string;
  readonly reportOnly: boolean;
  readonly waitForReady: boolean;
  /** GetConnection answers IN_PROGRESS this many times, then READY or FAILED. */
  readonly inProgressPolls: number;
  readonly statusFailedReason?: string;
  /** What the Glue plan is, for the counts. */
  readonly glueKind: string;
  /** Consumed in order by the event's Glue requests (GetConnection, TestConnection). */
  readonly glueFaults: readonly LabelledFault[];
  /** Consumed in order by the event's DescribeStacks requests. */
  readonly describeFaults: readonly LabelledFault[];
  /** How many of the event's answer PUTs the response endpoint fails with 500. */
  readonly failedPuts: number;
  readonly handlerTimeoutSeconds: number;
  /** A rollback whose restored properties no longer parse (it must still succeed). */
  readonly junkProperties: boolean;
  /** A Delete after a failed Create: the framework answers it without the handler. */
  readonly createFailedMarker: boolean;
  /** For Create / Update: what the test must come to, and the reason's category. */
  readonly expected?: { readonly outcome: Outcome; readonly category?: string; readonly errorName?: string };
}

const THROTTLE: LabelledFault = { fault: { kind: 'throttle' }, label: 'glue: throttling (400 ThrottlingException)' };
const ISE: LabelledFault = { fault: { kind: 'error', status: 500, errorType: 'InternalServiceException', message: 'Internal service error' }, label: 'glue: 500 InternalServiceException' };
const RESET: LabelledFault = { fault: { kind: 'reset' }, label: 'glue: connection reset' };
const MALFORMED: LabelledFault = { fault: { kind: 'malformed' }, label: 'glue: malformed JSON (200)' };

/** Error names Glue does not declare (none is a name the SDK treats as throttling or transient). */
const UNDECLARED_NAMES = ['FrobnicationException', 'com.amazonaws.glue#QuotaWobbleException', 'UnknownError', 'X', 'InternalFailure2', 'aws.protocols#Surprise'];
/** Messages with what a reason must survive: unicode, emoji, control characters, length, a URL with a password. */
function junkMessage(random: Random): string {
  return pick(random, [
    'the frobnicator is out of alignment',
    'Verbindungsfehler: Zeitüberschreitung bei der Anmeldung – bitte später erneut versuchen',
    'エラー: 接続できません 🚫🔌',
    'line one\nline two\r\n\ttabbed\u0000nul\u001b[31mred',
    'x'.repeat(int(random, 1000, 9000)),
    '💥'.repeat(int(random, 100, 3000)),
    'jdbc:postgresql://db:5432/orders?user=app&password=hunter2-in-a-url failed',
    '',
  ]);
}

/** Glue's declared errors that are definitive (not retried), with the category the reason must name. */
const DEFINITIVE: readonly { readonly errorType: string; readonly message: string; readonly category: string }[] = [
  { errorType: 'AccessDeniedException', message: 'User is not authorized to perform: glue:TestConnection', category: 'permissions' },
  { errorType: 'EntityNotFoundException', message: 'Connection not found', category: 'configuration' },
  { errorType: 'InvalidInputException', message: 'VPC S3 endpoint validation failed for SubnetId: subnet-0abc123. VPC: vpc-0def456.', category: 'network' },
  { errorType: 'GlueEncryptionException', message: 'Unable to decrypt the connection password with KMS key', category: 'permissions' },
  { errorType: 'OperationTimeoutException', message: 'Timed out connecting to the data store', category: 'timeout' },
  { errorType: 'ResourceNumberLimitExceededException', message: 'Too many connection tests in progress', category: 'Glue service' },
];

/** One transient fault (retried by the SDK). */
function transient(random: Random, kind: 'throttle' | 'ise' | 'reset' | 'mixed' | 'undeclared-5xx'): LabelledFault {
  switch (kind) {
    case 'throttle': return THROTTLE;
    case 'ise': return ISE;
    case 'reset': return RESET;
    case 'mixed': return pick(random, [THROTTLE, ISE, RESET]);
    case 'undeclared-5xx': {
      const status = pick(random, [500, 502, 503, 504]);
      return { fault: { kind: 'error', status, errorType: pick(random, UNDECLARED_NAMES), message: junkMessage(random) }, label: `glue: ${status} undeclared error name` };
    }
  }
}

/** Burst lengths: mostly fewer than the SDK's attempts (absorbed), sometimes as many or more. */
const burstLength = (random: Random) => (random() < 0.8 ? int(random, 1, MAX_ATTEMPTS - 1) : int(random, MAX_ATTEMPTS, MAX_ATTEMPTS + 1));

const TYPE_WEIGHTS: Record<EventType, number> = { Create: 35, Update: 25, Delete: 20, RollbackUpdate: 20 };
const GLUE_WEIGHTS = {
  'clean': 28,
  'throttle burst': 9,
  '500 InternalServiceException burst': 9,
  'reset burst': 8,
  'mixed transient burst': 6,
  'undeclared 5xx burst': 4,
  'undeclared 4xx': 6,
  'declared definitive error': 7,
  'malformed JSON': 5,
  'slow within the deadline': 6,
  'slow past the deadline': 6,
  'IN_PROGRESS, then READY': 4,
  'status FAILED': 2,
} as const;
type GlueKind = keyof typeof GLUE_WEIGHTS;

export function planEvents(seed: number, count: number): EventPlan[] {
  const random = prng(seed);
  const plans: EventPlan[] = [];
  for (let index = 0; index < count; index++) {
    const type = weighted(random, TYPE_WEIGHTS);
    const target = weighted<Target>(random, { 'good-by-name': 70, 'wrong-password-by-name': 12, 'good-by-input': 18 });
    const reportOnly = random() < 0.15;
    let waitForReady = target !== 'good-by-input' && random() < 0.25;
    let glueKind = weighted(random, GLUE_WEIGHTS) as GlueKind;
    // Readiness plans need a connection by name that is waited for.
    if ((glueKind === 'IN_PROGRESS, then READY' || glueKind === 'status FAILED') && target === 'good-by-input') glueKind = 'clean';
    if (glueKind === 'IN_PROGRESS, then READY' || glueKind === 'status FAILED') waitForReady = true;

    let glueFaults: LabelledFault[] = [];
    // A Delete makes no AWS call: a short Lambda timeout must not matter to it. Events that
    // call AWS and should pass keep the normal one: a 2 s deadline is no bound for a loaded
    // 2-core machine, and the handler rightly answers "timeout" when it runs out.
    let handlerTimeoutSeconds = type === 'Delete' && random() < 0.2 ? TIGHT_TIMEOUT_S : NORMAL_TIMEOUT_S;
    let inProgressPolls = 0;
    let statusFailedReason: string | undefined;
    // What the Glue plan alone makes of the test (undefined: the connection's own result).
    let glueOutcome: { outcome: Outcome; category?: string; errorName?: string } | undefined;
    switch (glueKind) {
      case 'clean':
        break;
      case 'throttle burst':
      case '500 InternalServiceException burst':
      case 'reset burst':
      case 'mixed transient burst':
      case 'undeclared 5xx burst': {
        const kind = ({
          'throttle burst': 'throttle', '500 InternalServiceException burst': 'ise', 'reset burst': 'reset',
          'mixed transient burst': 'mixed', 'undeclared 5xx burst': 'undeclared-5xx',
        } as const)[glueKind];
        const k = burstLength(random);
        glueFaults = Array.from({ length: k }, () => transient(random, kind));
        // Throttling is retried for as long as the deadline allows: five or six back-offs need
        // a longer one than the normal; other transient faults have 5 attempts.
        const throttles = glueFaults.filter((f) => f.fault.kind === 'throttle').length;
        handlerTimeoutSeconds = throttles >= MAX_ATTEMPTS ? LONG_TIMEOUT_S : NORMAL_TIMEOUT_S;
        // The reason names the last attempt's error: usually the burst's, but an idle keep-alive
        // socket that the endpoint closed during a long back-off can fail that attempt instead
        // (ECONNRESET), so only the outcome is certain.
        if (k - throttles >= MAX_ATTEMPTS) glueOutcome = { outcome: 'FAIL' };
        break;
      }
      case 'undeclared 4xx': {
        const errorType = pick(random, UNDECLARED_NAMES);
        const status = pick(random, [400, 400, 400, 403, 409, 501]);
        glueFaults = [{ fault: { kind: 'error', status, errorType, message: junkMessage(random) }, label: `glue: ${status === 501 ? '501' : '4xx'} undeclared error name` }];
        glueOutcome = { outcome: 'FAIL', errorName: errorType.slice(errorType.lastIndexOf('#') + 1) };
        break;
      }
      case 'declared definitive error': {
        const e = pick(random, DEFINITIVE);
        // A definitive error is what Glue says of this connection, however often it is asked: a
        // request repeated on a busy machine (a lost answer retried) gets it again.
        glueFaults = [{ fault: { kind: 'error', status: 400, errorType: e.errorType, message: e.message }, label: `glue: 400 ${e.errorType}`, persistent: true }];
        glueOutcome = { outcome: 'FAIL', category: e.category, errorName: e.errorType };
        break;
      }
      case 'malformed JSON':
        glueFaults = [MALFORMED];
        glueOutcome = { outcome: 'FAIL' };
        break;
      case 'slow within the deadline':
        glueFaults = [{ fault: { kind: 'delay', ms: int(random, 20, 400) }, label: 'glue: slow answer within the deadline' }];
        break;
      case 'slow past the deadline':
        // A rollback Update reads the stack status first, which must not race a 2 s deadline.
        if (type !== 'RollbackUpdate') handlerTimeoutSeconds = TIGHT_TIMEOUT_S;
        // Far past it, not just past it: on a loaded machine the handler's process can be
        // descheduled across its deadline and wake to an answer that arrived a moment after it,
        // which it then reads before its deadline timer runs. An answer 30 s late is never read
        // first; the local Glue drops it as soon as the handler hangs up.
        glueFaults = [{ fault: { kind: 'delay', ms: PAST_DEADLINE_MS + int(random, 0, 5_000) }, label: 'glue: slow answer past the deadline' }];
        glueOutcome = { outcome: 'FAIL', category: 'timeout', errorName: 'DeadlineExceeded' };
        break;
      case 'IN_PROGRESS, then READY':
        inProgressPolls = int(random, 1, 2);
        break;
      case 'status FAILED':
        inProgressPolls = int(random, 0, 1);
        statusFailedReason = pick(random, ['ENI creation failed in subnet-0abc123', 'Ungültige Konfiguration ✗', 'x'.repeat(3000)]);
        glueOutcome = { outcome: 'FAIL', category: 'configuration', errorName: 'ConnectionStatusFailed' };
        break;
    }
    // A wait for READY polls with up to 1.5 s of back-off: keep it clear of a tight deadline.
    if (inProgressPolls > 0) handlerTimeoutSeconds = NORMAL_TIMEOUT_S;

    const describeFaults: LabelledFault[] = [];
    if ((type === 'Update' || type === 'RollbackUpdate') && random() < 0.12 && handlerTimeoutSeconds >= NORMAL_TIMEOUT_S) {
      // Transient only, and fewer than the SDK's attempts: the status must still be read.
      const k = int(random, 1, 3);
      for (let i = 0; i < k; i++) {
        const kind = pick(random, ['throttle', 'error', 'reset'] as const);
        describeFaults.push(kind === 'throttle' ? { fault: { kind: 'throttle' }, label: 'cloudformation: DescribeStacks throttling' }
          : kind === 'error' ? { fault: { kind: 'error', status: 500, errorType: 'InternalFailure', message: 'internal failure' }, label: 'cloudformation: DescribeStacks 500' }
            : { fault: { kind: 'reset' }, label: 'cloudformation: DescribeStacks connection reset' });
      }
    }
    const failedPuts = random() < 0.15 ? int(random, 1, 4) : 0;
    const junkProperties = type === 'RollbackUpdate' && random() < 0.1;
    const createFailedMarker = type === 'Delete' && random() < 0.05;

    let expected: EventPlan['expected'];
    if (type === 'Create' || type === 'Update') {
      if (glueOutcome) expected = glueOutcome;
      else if (target === 'wrong-password-by-name') expected = { outcome: 'FAIL', category: 'credentials', errorName: 'InvalidInputException' };
      else expected = { outcome: 'PASS' };
    }
    plans.push({
      index, type, target, reportOnly, waitForReady, inProgressPolls, statusFailedReason, glueKind, glueFaults, describeFaults,
      failedPuts, handlerTimeoutSeconds, junkProperties, createFailedMarker, expected,
      logicalResourceId: `OrdersDbTest${int(random, 1, 9)}`,
    });
  }
  return plans;
}

// ---------------------------------------------------------------------------------------------
// Lanes: one stack each, with its own connections, so that faults reach only their own event

interface Lane {
  readonly id: number;
  readonly stackId: string;
  readonly goodName: string;
  readonly wrongName: string;
  readonly secretArn: string;
  /** The marker in the lane's TestConnectionInput JDBC URL, to tell its requests apart. */
  readonly inputMarker: string;
  current?: { plan: EventPlan; glue: LabelledFault[]; describe: LabelledFault[]; puts: number; putTimes: number[] };
}

async function seedLane(aws: LocalAws, pg: Pg, id: number, runId: string): Promise<Lane> {
  const goodName = `fault-${runId}-lane-${id}-good`;
  const wrongName = `fault-${runId}-lane-${id}-wrong-password`;
  // Half the lanes' good connections sit in a VPC (the local Glue checks its plumbing via moto).
  const good = await seedDeployment(aws, {
    connectionName: goodName, jdbcUrl: pg.jdbcUrl, username: pg.user, password: pg.password, network: id % 2 === 0 ? {} : false,
  });
  await seedDeployment(aws, {
    connectionName: wrongName, jdbcUrl: pg.jdbcUrl, username: pg.user, password: `wrong-${pg.password.slice(0, 6)}`, credentials: 'properties', network: false,
  });
  const secretArn = good.secretArn ?? await createSecret(aws, `${goodName}-input`, { username: pg.user, password: pg.password });
  return {
    id,
    stackId: `arn:aws:cloudformation:${aws.region}:${aws.accountId}:stack/fault-${runId}-lane-${id}/${runId}-${id}`,
    goodName,
    wrongName,
    secretArn,
    inputMarker: `ApplicationName=fault-${runId}-lane-${id}`,
  };
}

function propertiesFor(plan: EventPlan, lane: Lane, pg: Pg, fingerprint: string): Record<string, unknown> {
  if (plan.junkProperties) return { TimeoutSeconds: 'soon', FailureMode: 'MAYBE', TestConnectionInput: 'not an object' };
  const common: Record<string, unknown> = {
    ConnectionFingerprint: fingerprint,
    ...(plan.reportOnly && { FailureMode: 'REPORT_ONLY' }),
    ...(plan.waitForReady && { WaitForReady: 'true' }),
  };
  if (plan.target === 'good-by-input') {
    return {
      ...common,
      TestConnectionInput: {
        ConnectionType: 'JDBC',
        ConnectionProperties: { JDBC_CONNECTION_URL: `${pg.jdbcUrl}?${lane.inputMarker}-event-${plan.index}` },
        AuthenticationConfiguration: { AuthenticationType: 'BASIC', BasicAuthenticationCredentials: { Username: pg.user } },
      },
      SecretReferences: [{ Target: '/AuthenticationConfiguration/BasicAuthenticationCredentials/Password', SecretId: lane.secretArn, JsonField: 'password' }],
    };
  }
  return { ...common, ConnectionName: plan.target === 'good-by-name' ? lane.goodName : lane.wrongName };
}

function simEvent(plan: EventPlan, lane: Lane, pg: Pg): SimEvent {
  const physicalResourceId = plan.createFailedMarker ? CREATE_FAILED_MARKER : `glue-connection-test:${plan.logicalResourceId}`;
  const resourceProperties = propertiesFor(plan, lane, pg, `fp-${plan.index}`);
  const base = { logicalResourceId: plan.logicalResourceId, stackId: lane.stackId, resourceProperties, handlerTimeoutSeconds: plan.handlerTimeoutSeconds };
  switch (plan.type) {
    case 'Create':
      return { ...base, requestType: 'Create' };
    case 'Update':
      return { ...base, requestType: 'Update', physicalResourceId, oldResourceProperties: propertiesFor(plan, lane, pg, `fp-${plan.index - 1}`) };
    case 'RollbackUpdate':
      return {
        ...base, requestType: 'Update', physicalResourceId, stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS',
        oldResourceProperties: { ...propertiesFor({ ...plan, junkProperties: false }, lane, pg, `fp-${plan.index}-failed`) },
      };
    case 'Delete':
      return { ...base, requestType: 'Delete', physicalResourceId };
  }
}

// ---------------------------------------------------------------------------------------------
// Checking one answer

export interface EventRecord {
  readonly plan: EventPlan;
  readonly result: EventResult;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ASCII = /^[\x00-\x7f]*$/;

/** The handler's bound on answering: its deadline for this kind of event. */
function handlerBoundMs(plan: EventPlan): number {
  const budget = plan.handlerTimeoutSeconds * 1000 - ANSWER_MARGIN_MS;
  if (plan.type === 'Delete') return 0;
  if (plan.type === 'RollbackUpdate') return Math.min(20_000, budget);
  return budget;
}

/**
 * What can go wrong with one event. The invariants are what issue 5 asks of every event; an
 * outcome mismatch is a test that came to another result than its plan implies.
 */
export const INVARIANTS = [
  'lost', 'duplicated', 'framework error', 'malformed answer', 'oversize', 'late', 'Lambda timeout', 'reason not plain ASCII',
  'reason too long', 'password in the answer', 'Delete not SUCCESS', 'rollback not SUCCESS', 'rollback tested', 'wrong physical id',
  'REPORT_ONLY answered FAILED', 'Result does not match',
] as const;
export const OUTCOMES = ['expected to pass, failed', 'expected to fail, passed', 'wrong category', 'error name not in reason'] as const;
export type ViolationKind = typeof INVARIANTS[number] | typeof OUTCOMES[number];

export interface Violation {
  readonly kind: ViolationKind;
  readonly text: string;
}

export function checkEvent({ plan, result }: EventRecord, secrets: readonly string[]): { violations: Violation[]; overshootMs: number } {
  const violations: Violation[] = [];
  const v = (kind: ViolationKind, what: string) => violations.push({
    kind, text: `event ${plan.index} (${plan.type}, ${plan.target}, ${plan.glueKind}, ${plan.failedPuts} failed PUTs): ${what}`,
  });
  const boundMs = handlerBoundMs(plan) + putRetrySleepBound(plan.failedPuts);
  const overshootMs = result.durationMs - boundMs;

  if (result.frameworkError) v('framework error', `the framework failed: ${result.frameworkError.message.split('\n')[0]}`);
  if (result.responses.length === 0) v('lost', 'no answer reached the response endpoint');
  if (result.responses.length > 1) v('duplicated', `${result.responses.length} answers reached the response endpoint`);
  if (overshootMs > SLACK_MS) v('late', `answered after ${result.durationMs} ms; the bound is ${boundMs} ms + ${SLACK_MS} ms slack`);
  for (const response of result.responses) {
    for (const problem of response.violations) v('malformed answer', problem);
    if (Buffer.byteLength(response.raw) > 4096) v('oversize', `answer of ${Buffer.byteLength(response.raw)} bytes`);
    for (const secret of secrets) if (response.raw.includes(secret)) v('password in the answer', 'the answer contains a password');
  }
  const body = result.response?.body;
  if (!body) return { violations, overshootMs };

  const reason = typeof body.Reason === 'string' ? body.Reason : '';
  const data = (body.Data ?? {}) as Record<string, unknown>;
  if (!ASCII.test(reason)) v('reason not plain ASCII', `Reason is not ASCII: ${JSON.stringify(reason.slice(0, 120))}`);
  if (body.Status === 'FAILED') {
    const first = reason.split('\n')[0];
    if (/Task timed out/.test(reason)) v('Lambda timeout', 'the handler ran into its Lambda timeout');
    if (!PRINTABLE_ASCII.test(first)) v('reason not plain ASCII', `the handler's reason is not printable ASCII: ${JSON.stringify(first.slice(0, 120))}`);
    if (first.length > MAX_REASON_LENGTH) v('reason too long', `the handler's reason is ${first.length} characters (limit ${MAX_REASON_LENGTH})`);
  }
  if (data.Reason !== undefined) {
    const r = String(data.Reason);
    if (!PRINTABLE_ASCII.test(r)) v('reason not plain ASCII', `Data.Reason is not printable ASCII: ${JSON.stringify(r.slice(0, 120))}`);
    if (r.length > MAX_REASON_LENGTH) v('reason too long', `Data.Reason is ${r.length} characters (limit ${MAX_REASON_LENGTH})`);
  }

  const expectedPhysicalId = plan.type === 'Create' ? `glue-connection-test:${plan.logicalResourceId}`
    : plan.createFailedMarker ? CREATE_FAILED_MARKER : `glue-connection-test:${plan.logicalResourceId}`;
  switch (plan.type) {
    case 'Delete':
      if (body.Status !== 'SUCCESS') v('Delete not SUCCESS', `a Delete answered ${String(body.Status)}: ${reason.split('\n')[0]}`);
      if (body.PhysicalResourceId !== expectedPhysicalId) v('wrong physical id', `a Delete changed the physical id to ${String(body.PhysicalResourceId)}`);
      break;
    case 'RollbackUpdate':
      if (body.Status !== 'SUCCESS') v('rollback not SUCCESS', `a rollback Update answered ${String(body.Status)}: ${reason.split('\n')[0]}`);
      else if (data.Result !== 'SKIPPED') v('rollback tested', `a rollback Update ran the test (Result ${String(data.Result)})`);
      if (body.PhysicalResourceId !== expectedPhysicalId) v('wrong physical id', `a rollback Update changed the physical id to ${String(body.PhysicalResourceId)}`);
      break;
    case 'Create':
    case 'Update': {
      const expected = plan.expected!;
      // What the test came to, and the reason that says why.
      const failed = body.Status === 'FAILED' || data.Result === 'FAILED';
      const failReason = body.Status === 'FAILED' ? reason.split('\n')[0] : String(data.Reason ?? '');
      if (plan.reportOnly && body.Status === 'FAILED') v('REPORT_ONLY answered FAILED', failReason);
      if (body.Status === 'SUCCESS' && data.Result !== (failed ? 'FAILED' : 'PASSED')) v('Result does not match', `SUCCESS with Result ${String(data.Result)}`);
      if (expected.outcome === 'PASS' && failed) v('expected to pass, failed', failReason.slice(0, 300));
      if (expected.outcome === 'FAIL' && !failed) v('expected to fail, passed', 'the test passed');
      if (expected.outcome === 'FAIL' && failed) {
        if (expected.category && !failReason.includes(`(${expected.category}):`)) v('wrong category', `expected ${expected.category}: ${failReason.slice(0, 300)}`);
        if (expected.errorName && !failReason.includes(expected.errorName)) v('error name not in reason', `expected ${expected.errorName}: ${failReason.slice(0, 300)}`);
      }
      const physicalId = body.Status === 'FAILED' && plan.type === 'Create' ? CREATE_FAILED_MARKER : expectedPhysicalId;
      if (body.PhysicalResourceId !== physicalId) v('wrong physical id', `physical id ${String(body.PhysicalResourceId)}, expected ${physicalId}`);
      break;
    }
  }
  return { violations, overshootMs };
}

// ---------------------------------------------------------------------------------------------
// The run

export interface FaultRunOptions {
  readonly seed: number;
  readonly events: number;
  /** Events in flight at once, each lane its own stack. Default 48. */
  readonly lanes?: number;
  /** Called after every event. */
  readonly progress?: (done: number, total: number) => void;
  /** Add the handler's log lines of the first violating events to the violations. */
  readonly debug?: boolean;
  /** The handler bundle. Default: assets/handler/index.js. */
  readonly handlerBundle?: string;
}

export interface FaultRunReport {
  readonly seed: number;
  readonly events: number;
  readonly lanes: number;
  /** Starting moto, PostgreSQL and the response endpoint, and seeding the lanes. */
  readonly setupMs: number;
  /** The events alone. */
  readonly wallMs: number;
  readonly eventsByType: Record<string, number>;
  readonly gluePlans: Record<string, number>;
  readonly faultsInjected: Record<string, number>;
  readonly answersByStatus: Record<string, number>;
  readonly answers: number;
  readonly maxAnswerBytes: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** The latest answer relative to its bound (negative: that much before it). */
  readonly maxOvershootMs: number;
  /** Which event that was. */
  readonly latestEvent: string;
  readonly handlerContainers: number;
  /** The longest this process's event loop was blocked: how loaded the machine was. */
  readonly maxEventLoopDelayMs: number;
  /** Violations of issue 5's invariants (any fails the suite). */
  readonly invariantViolations: number;
  /** Tests that came to another result than their plan implies (any fails the suite). */
  readonly outcomeMismatches: number;
  readonly violationsByKind: Record<string, number>;
  /** The Glue plans of the events whose outcome did not match. */
  readonly mismatchesByPlan: Record<string, number>;
  /** The first few violations of each kind, for the log. */
  readonly violations: readonly string[];
}

const bump = (counts: Record<string, number>, key: string, by = 1) => {
  counts[key] = (counts[key] ?? 0) + by;
};

export async function runFaults(options: FaultRunOptions): Promise<FaultRunReport> {
  const laneCount = Math.max(1, Math.min(options.lanes ?? 48, options.events));
  const plans = planEvents(options.seed, options.events);
  const runId = `${options.seed.toString(36)}-${Date.now().toString(36)}`;
  const setupStarted = Date.now();

  let aws: LocalAws | undefined;
  let pg: Pg | undefined;
  let endpoint: ResponseEndpoint | undefined;
  try {
    [aws, pg, endpoint] = await Promise.all([startLocalAws({ glueRateLimits: FAULT_GLUE_RATE_LIMITS }), startPostgres(), startResponseEndpoint()]);
    const localAws = aws;
    const postgres = pg;
    const lanes: Lane[] = [];
    for (let id = 0; id < laneCount; id++) lanes.push(await seedLane(localAws, postgres, id, runId));
    const byConnection = new Map<string, Lane>();
    const byStack = new Map<string, Lane>();
    const byMarker = new Map<string, Lane>();
    for (const lane of lanes) {
      byConnection.set(lane.goodName, lane);
      byConnection.set(lane.wrongName, lane);
      byStack.set(lane.stackId, lane);
      byMarker.set(lane.inputMarker, lane);
    }

    const faultsInjected: Record<string, number> = {};
    // Throttled by the local Glue's rate limit rather than by a plan (counted, then forgotten).
    const countRateLimited = () => {
      const n = localAws.requests.filter((r) => r.rateLimited).length;
      if (n > 0) bump(faultsInjected, 'glue: over its rate limit (400 ThrottlingException)', n);
      localAws.clearRequests();
    };
    const laneOfGlueRequest = (body: Readonly<Record<string, unknown>>): Lane | undefined => {
      const name = body.ConnectionName ?? body.Name;
      if (typeof name === 'string') return byConnection.get(name);
      const url = (body.TestConnectionInput as TestConnectionInput | undefined)?.ConnectionProperties?.JDBC_CONNECTION_URL;
      const marked = typeof url === 'string' ? /[?&](ApplicationName=[^&]*)-event-(\d+)$/.exec(url) : null;
      const lane = marked ? byMarker.get(marked[1]) : undefined;
      // A request of an earlier event of the lane (one still under way when its handler had
      // answered, as on a machine slow enough to put it there) gets no fault of the event now
      // planned, and takes none from it.
      return lane?.current?.plan.index === Number(marked?.[2]) ? lane : undefined;
    };
    localAws.faults = (service, operation, body) => {
      let next: LabelledFault | undefined;
      if (service === 'glue') {
        const queue = laneOfGlueRequest(body)?.current?.glue;
        next = queue?.[0]?.persistent && queue.length === 1 ? queue[0] : queue?.shift();
      }
      else if (service === 'cloudformation' && operation === 'DescribeStacks') next = byStack.get(String(body.StackName))?.current?.describe.shift();
      if (!next) return undefined;
      bump(faultsInjected, next.label);
      return next.fault;
    };
    endpoint.failPuts = ({ stackId }) => {
      const current = byStack.get(stackId)?.current;
      current?.putTimes.push(Date.now());
      if (!current || current.puts <= 0) return false;
      current.puts--;
      bump(faultsInjected, 'response: PUT answered 500 InternalError');
      return true;
    };

    const framework: ProviderFramework = createProviderFramework({
      localAws, responseEndpoint: endpoint, handlerTimeoutSeconds: NORMAL_TIMEOUT_S, handlerBundle: options.handlerBundle,
    });
    const secrets = [postgres.password, `wrong-${postgres.password.slice(0, 6)}`];
    const setupMs = Date.now() - setupStarted;

    // Warm up one handler container per lane, as a deployment's first events would: cold starts
    // (loading the bundle, 48 at once on 2 cores) are Lambda's init phase, outside the timeout.
    await Promise.all(lanes.map((lane) => framework.sendConcurrent({
      requestType: 'Delete', logicalResourceId: 'WarmUp', physicalResourceId: 'glue-connection-test:WarmUp', stackId: lane.stackId, resourceProperties: {},
    })));

    const eventsByType: Record<string, number> = {};
    const gluePlans: Record<string, number> = {};
    const answersByStatus: Record<string, number> = {};
    const latencies: number[] = [];
    const violations: string[] = [];
    const violationsByKind: Record<string, number> = {};
    const mismatchesByPlan: Record<string, number> = {};
    let maxAnswerBytes = 0;
    let maxOvershootMs = -Infinity;
    let latestEvent = '';
    let answers = 0;
    let next = 0;
    let done = 0;
    const started = Date.now();
    const loopDelay = monitorEventLoopDelay({ resolution: 20 });
    loopDelay.enable();

    const runLane = async (lane: Lane) => {
      while (next < plans.length) {
        const plan = plans[next++];
        if (plan.waitForReady) {
          const name = plan.target === 'good-by-name' ? lane.goodName : lane.wrongName;
          localAws.setConnectionStatus(name, { inProgressPolls: plan.inProgressPolls, failedReason: plan.statusFailedReason });
        }
        const putTimes: number[] = [];
        lane.current = { plan, glue: [...plan.glueFaults], describe: [...plan.describeFaults], puts: plan.failedPuts, putTimes };
        const eventStarted = Date.now();
        const result = await framework.sendConcurrent(simEvent(plan, lane, postgres));
        lane.current = undefined;

        const { violations: found, overshootMs } = checkEvent({ plan, result }, secrets);
        if (found.some(({ kind }) => (OUTCOMES as readonly string[]).includes(kind))) bump(mismatchesByPlan, plan.glueKind);
        for (const { kind, text } of found) {
          bump(violationsByKind, kind);
          if (violationsByKind[kind] > 3) continue;
          const puts = kind === 'late' ? `; PUTs at ${putTimes.map((t) => `+${t - eventStarted} ms`).join(', ')}` : '';
          violations.push(`[${kind}] ${text}${puts}`);
          if (options.debug) violations.push(...result.logs.filter((l) => l.source === 'handler').map((l) => `      ${l.text.slice(0, 300)}`));
        }
        bump(eventsByType, plan.type === 'RollbackUpdate' ? 'rollback Update' : plan.type);
        if (plan.type === 'Create' || plan.type === 'Update') bump(gluePlans, plan.glueKind);
        for (const response of result.responses) {
          answers++;
          maxAnswerBytes = Math.max(maxAnswerBytes, Buffer.byteLength(response.raw));
          const data = (response.body?.Data ?? {}) as Record<string, unknown>;
          const status = String(response.body?.Status);
          bump(answersByStatus, data.Result ? `${status} (Result ${String(data.Result)})` : status);
        }
        latencies.push(result.durationMs);
        if (overshootMs > maxOvershootMs) {
          maxOvershootMs = overshootMs;
          latestEvent = `event ${plan.index}: ${plan.type}, ${plan.glueKind}, ${plan.failedPuts} failed PUTs, ${result.durationMs} ms`;
        }
        done++;
        if (done % 500 === 0) countRateLimited();
        options.progress?.(done, plans.length);
      }
    };
    await Promise.all(lanes.map(runLane));
    countRateLimited();
    loopDelay.disable();

    latencies.sort((a, b) => a - b);
    const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
    return {
      seed: options.seed,
      events: plans.length,
      lanes: laneCount,
      setupMs,
      wallMs: Date.now() - started,
      eventsByType,
      gluePlans,
      faultsInjected,
      answersByStatus,
      answers,
      maxAnswerBytes,
      latencyMs: { p50: quantile(0.5), p99: quantile(0.99), max: latencies[latencies.length - 1] ?? 0 },
      maxOvershootMs,
      latestEvent,
      handlerContainers: framework.handlerContainers,
      maxEventLoopDelayMs: Math.round(loopDelay.max / 1e6),
      invariantViolations: INVARIANTS.reduce((n, kind) => n + (violationsByKind[kind] ?? 0), 0),
      outcomeMismatches: OUTCOMES.reduce((n, kind) => n + (violationsByKind[kind] ?? 0), 0),
      violationsByKind,
      mismatchesByPlan,
      violations,
    };
  } finally {
    if (aws) aws.faults = undefined;
    if (endpoint) endpoint.failPuts = undefined;
    await Promise.all([aws?.stop(), pg?.stop(), endpoint?.stop()]);
  }
}

const sorted = (counts: Record<string, number>) => Object.entries(counts).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));

/** The report as the suite prints it (and BENCHMARKS.md records it). */
export function formatReport(r: FaultRunReport): string {
  const list = (counts: Record<string, number>) => sorted(counts).map(([k, n]) => `    ${k}: ${n}`).join('\n');
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  return [
    `Fault-injection suite: seed ${r.seed}, ${r.events} events, ${r.lanes} lanes: ${(r.wallMs / 1000).toFixed(1)} s of events (${(r.events / (r.wallMs / 1000)).toFixed(1)} events/s) after ${(r.setupMs / 1000).toFixed(1)} s of set-up`,
    `  events by type (${total(r.eventsByType)}):`,
    list(r.eventsByType),
    `  Glue plans of Create/Update events (${total(r.gluePlans)}):`,
    list(r.gluePlans),
    `  faults injected (${total(r.faultsInjected)}):`,
    list(r.faultsInjected),
    `  answers by status (${r.answers} answers for ${r.events} events):`,
    list(r.answersByStatus),
    `  max answer size: ${r.maxAnswerBytes} bytes (limit 4096)`,
    `  latency: p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms; latest answer relative to its bound: ${r.maxOvershootMs >= 0 ? '+' : ''}${r.maxOvershootMs} ms (allowed +${SLACK_MS} ms; ${r.latestEvent})`,
    `  handler containers (cold starts): ${r.handlerContainers}; longest event-loop delay: ${r.maxEventLoopDelayMs} ms`,
    `  invariant violations: ${r.invariantViolations} (${INVARIANTS.map((k) => `${k} ${r.violationsByKind[k] ?? 0}`).join(', ')})`,
    `  outcome mismatches: ${r.outcomeMismatches} (${OUTCOMES.map((k) => `${k} ${r.violationsByKind[k] ?? 0}`).join(', ')})`,
    ...(r.outcomeMismatches > 0 ? [`  events with a mismatch, by Glue plan: ${sorted(r.mismatchesByPlan).map(([k, n]) => `${k} ${n}`).join(', ')}`] : []),
    ...r.violations.map((v) => `    ${v}`),
  ].join('\n');
}

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number (got ${process.argv[i + 1]})`);
  return value;
}

if (require.main === module) {
  const seed = argument('seed', 42);
  const events = argument('events', 1000);
  const lanes = argument('lanes', 48);
  let lastPrint = Date.now();
  runFaults({
    seed, events, lanes, debug: process.argv.includes('--debug'),
    handlerBundle: process.argv.includes('--bundle') ? process.argv[process.argv.indexOf('--bundle') + 1] : undefined,
    progress: (done, total) => {
      if (Date.now() - lastPrint > 10_000 || done === total) {
        lastPrint = Date.now();
        process.stderr.write(`  ${done}/${total} events\n`);
      }
    },
  }).then((report) => {
    process.stdout.write(formatReport(report) + '\n');
    process.exitCode = report.invariantViolations + report.outcomeMismatches === 0 ? 0 : 1;
  }, (e: unknown) => {
    process.stderr.write(`fault suite could not run: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 2;
  });
}
