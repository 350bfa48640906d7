/**
 * Synth-time checks of a test's options that TypeScript's types make for TypeScript callers
 * only: JavaScript (and a cast) can pass any value, and what is not refused here would be
 * written into the template and fail, less clearly, at deploy.
 */
import { Duration, Token } from 'aws-cdk-lib';
import { FailureMode, NetworkInspection, TIMEOUT_LIMITS } from '../contract/resource';
import { NETWORK_CHECKS, NetworkCheck } from '../network/rules';
import { CheckedMonitor, checkMonitor } from './monitor';
import { describeValue } from '../private/cfn-values';

/** The options these checks read, as a caller may really pass them. */
export interface CheckedOptions {
  readonly timeout?: unknown;
  readonly failureMode?: unknown;
  readonly waitForReady?: unknown;
  readonly retestOnEveryDeploy?: unknown;
  readonly networkInspection?: unknown;
  readonly acknowledgedNetworkChecks?: unknown;
  readonly monitor?: unknown;
}

/** A test's options as the checks leave them: the deadline in seconds, the acknowledged checks, the monitor. */
export interface CheckedTestOptions {
  readonly timeoutSeconds: number;
  readonly acknowledgedNetworkChecks: NetworkCheck[];
  readonly monitor?: CheckedMonitor;
}

/**
 * Checks every option of `GlueConnectionTestOptions` that a caller can get wrong, for a test and
 * for the aspect that makes tests alike; each problem goes to `errors`, naming the option and what
 * it allows. What is wrong is left at its default in the result.
 */
export function checkTestOptions(options: CheckedOptions, errors: string[]): CheckedTestOptions {
  const seconds = timeoutSeconds(options.timeout, errors) ?? TIMEOUT_LIMITS.defaultSeconds;
  errors.push(...checkOptionValues(options));
  return {
    timeoutSeconds: seconds,
    acknowledgedNetworkChecks: networkChecks('acknowledgedNetworkChecks', options.acknowledgedNetworkChecks, errors),
    monitor: checkMonitor(options.monitor, errors),
  };
}

/**
 * The NetworkCheck values of a list, each one checked; what is not a list of them is reported
 * in `errors` under `name`.
 */
export function networkChecks(name: string, value: unknown, errors: string[]): NetworkCheck[] {
  if (value === undefined) return [];
  const allowed = `NetworkCheck values (${NETWORK_CHECKS.join(', ')})`;
  // A single check given where a list is expected would otherwise be read letter by letter.
  if (!Array.isArray(value)) {
    errors.push(`${name}: must be a list of ${allowed} (got ${describeValue(value)})`);
    return [];
  }
  const checks: NetworkCheck[] = [];
  value.forEach((check: unknown, i) => {
    if ((NETWORK_CHECKS as readonly unknown[]).includes(check)) checks.push(check as NetworkCheck);
    else errors.push(`${name}[${i}]: must be one of ${allowed} (got ${describeValue(check)})`);
  });
  return checks;
}

/**
 * The test's deadline in whole seconds, or undefined (with the reason in `errors`) when
 * `timeout` is not a Duration of whole seconds between the limits.
 */
export function timeoutSeconds(timeout: unknown, errors: string[]): number | undefined {
  if (timeout === undefined) return TIMEOUT_LIMITS.defaultSeconds;
  if (!(timeout instanceof Duration)) {
    errors.push(`timeout: must be a Duration, such as Duration.minutes(5) (got ${describeValue(timeout)})`);
    return undefined;
  }
  // toSeconds() of a fraction of a second throws aws-cdk-lib's error, which names no prop.
  const exact = timeout.toSeconds({ integral: false });
  if (Token.isUnresolved(exact)) {
    // ServiceTimeout is computed from it at synth time.
    errors.push('timeout: must be a literal Duration, not a token (a parameter or an attribute)');
    return undefined;
  }
  if (!Number.isInteger(exact)) {
    errors.push(`timeout: must be a whole number of seconds (got ${timeout.toHumanString()}, ${exact} seconds)`);
    return undefined;
  }
  if (exact < TIMEOUT_LIMITS.minSeconds || exact > TIMEOUT_LIMITS.maxSeconds) {
    errors.push(`timeout: must be between ${TIMEOUT_LIMITS.minSeconds} seconds and ${TIMEOUT_LIMITS.maxSeconds / 60} minutes (got ${timeout.toHumanString()})`);
    return undefined;
  }
  return exact;
}

/** Errors in the enum and boolean options, each naming the option and what it allows. */
export function checkOptionValues(options: CheckedOptions): string[] {
  const errors: string[] = [];
  const modes = Object.values(FailureMode) as unknown[];
  if (options.failureMode !== undefined && !Token.isUnresolved(options.failureMode) && !modes.includes(options.failureMode)) {
    errors.push(`failureMode: must be one of ${modes.map((m) => `FailureMode.${m}`).join(', ')} (got ${describeValue(options.failureMode)})`);
  }
  const inspections = Object.values(NetworkInspection) as unknown[];
  if (options.networkInspection !== undefined && !Token.isUnresolved(options.networkInspection) && !inspections.includes(options.networkInspection)) {
    errors.push(`networkInspection: must be one of ${inspections.map((m) => `NetworkInspection.${m}`).join(', ')} (got ${describeValue(options.networkInspection)})`);
  }
  for (const name of ['waitForReady', 'retestOnEveryDeploy'] as const) {
    const value = options[name];
    if (value !== undefined && typeof value !== 'boolean') {
      // "false" as a string is truthy: it would silently mean true.
      errors.push(`${name}: must be true or false (got ${describeValue(value)})`);
    }
  }
  return errors;
}
