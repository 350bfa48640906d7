/**
 * The settings of a stack's shared test handler: one value per stack, set with
 * `GlueConnectionTest.configureStack()`, whatever the order of that call and the tests.
 */
import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { isObjectLiteral } from '../private/cfn-values';

/**
 * Settings of the test handler and the Provider framework function that every
 * `GlueConnectionTest` of a stack shares. Set them once per stack with
 * `GlueConnectionTest.configureStack()`.
 */
export interface GlueConnectionTestHandlerOptions {
  /**
   * The log group both functions write to. It cannot be combined with `logRetention` or
   * `logEncryptionKey`: set those on the log group itself.
   *
   * @default - one log group per function, created by the library, kept for `logRetention`
   */
  readonly logGroup?: logs.ILogGroup;

  /**
   * How long the logs of the library's log groups are kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * A KMS key that encrypts the library's log groups. The key policy of a key defined in the
   * app is given a statement that lets CloudWatch Logs use the key for these log groups only;
   * an imported key's policy must allow it already.
   *
   * @default - CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * A VPC for both functions. They then reach AWS through it: give the subnets a NAT route, or
   * interface endpoints for Glue, Secrets Manager, CloudFormation, EC2, Lambda (and X-Ray with
   * tracing) and an S3 gateway endpoint (CloudFormation's response URL is an S3 presigned URL).
   * No STS endpoint is needed: Lambda hands the functions their credentials.
   *
   * @default - the functions run outside any VPC of yours
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Where in `vpc` the functions place their network interfaces.
   *
   * @default - the VPC's private subnets with egress (Lambda's default selection)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of both functions' network interfaces.
   *
   * @default - one security group for both functions, all outbound traffic allowed
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Concurrent executions reserved for the test handler: at least as many as the tests
   * CloudFormation runs at once in the stack, since a throttled test fails, plus one for each
   * monitor schedule of the stack (a scheduled run holds one while it lasts).
   *
   * @default - no reservation: the handler draws on the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * AWS X-Ray tracing of the test handler.
   *
   * @default lambda.Tracing.DISABLED
   */
  readonly tracing?: lambda.Tracing;
}

/** The option names, in the order they are checked and reported. */
export const HANDLER_OPTION_NAMES: readonly (keyof GlueConnectionTestHandlerOptions)[] = [
  'logGroup', 'logRetention', 'logEncryptionKey', 'vpc', 'vpcSubnets', 'securityGroups', 'reservedConcurrentExecutions', 'tracing',
];

/** Errors in one set of options on its own, each naming the option and what is allowed. */
export function validateHandlerOptions(options: GlueConnectionTestHandlerOptions): string[] {
  const errors: string[] = [];
  if (options.logGroup !== undefined) {
    for (const other of ['logRetention', 'logEncryptionKey'] as const) {
      if (options[other] !== undefined) errors.push(`logGroup and ${other} cannot be combined: set the retention and the key on the log group you give`);
    }
  }
  const retention = options.logRetention as unknown;
  if (retention !== undefined && !Token.isUnresolved(retention) && !(Object.values(logs.RetentionDays) as unknown[]).includes(retention)) {
    errors.push(`logRetention: must be a logs.RetentionDays value (got ${JSON.stringify(retention)})`);
  }
  if (options.vpc === undefined) {
    for (const other of ['vpcSubnets', 'securityGroups'] as const) {
      if (options[other] !== undefined) errors.push(`${other}: needs vpc`);
    }
  }
  if (options.securityGroups !== undefined && options.securityGroups.length === 0) {
    errors.push('securityGroups: give at least one security group, or leave it out for one created by the library');
  }
  const concurrency = options.reservedConcurrentExecutions as unknown;
  if (concurrency !== undefined && !Token.isUnresolved(concurrency) && !(Number.isInteger(concurrency) && (concurrency as number) >= 1)) {
    errors.push(`reservedConcurrentExecutions: must be a whole number of at least 1 (got ${JSON.stringify(concurrency)}); 0 would stop every test`);
  }
  const tracing = options.tracing as unknown;
  if (tracing !== undefined && !(Object.values(lambda.Tracing) as unknown[]).includes(tracing)) {
    errors.push(`tracing: must be one of ${Object.values(lambda.Tracing).join(', ')} (got ${JSON.stringify(tracing)})`);
  }
  return errors;
}

/**
 * Whether two values of one option are the same setting: constructs by identity, arrays and
 * plain objects (a `SubnetSelection`) member by member.
 */
export function sameOption(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameOption(x, b[i]));
  if (isObjectLiteral(a) && isObjectLiteral(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameOption(a[k], b[k]));
  }
  return false;
}
