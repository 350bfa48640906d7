/**
 * Synth-time checks of a test's options that TypeScript's types make for TypeScript callers
 * only: JavaScript (and a cast) can pass any value, and what is not refused here would be
 * written into the template and fail, less clearly, at deploy.
 */
import { Duration, Token } from 'aws-cdk-lib';
import { FailureMode, NetworkInspection, TIMEOUT_LIMITS } from '../contract/resource';
import { describeValue } from '../private/cfn-values';

/** The options these checks read, as a caller may really pass them. */
export interface CheckedOptions {
  readonly timeout?: unknown;
  readonly failureMode?: unknown;
  readonly waitForReady?: unknown;
  readonly retestOnEveryDeploy?: unknown;
  readonly networkInspection?: unknown;
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
