/**
 * The one handler Lambda and the one Provider framework of a stack, shared by all its
 * connection tests: a stack with 200 tests has the same two functions as one with a single test.
 * Internal: users reach it through `GlueConnectionTest` (`grantPrincipal`, `configureStack`).
 */
import * as path from 'path';
import { Annotations, ArnFormat, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { acknowledge } from '../private/acknowledge';
import { NETWORK_INSPECTION_ACTIONS, TEST_CONNECTION_VPC_ACTIONS, TIMEOUT_LIMITS } from '../contract/resource';
import { GlueConnectionTestHandlerOptions, HANDLER_OPTION_NAMES, sameOption, validateHandlerOptions } from './handler-options';
import { buildScheduleRule, CheckedMonitor, MonitoredEntry, ruleId, ScheduleGroup } from './monitor';

/** Where the pre-built handler bundle lives, relative to this file (built by `npm run bundle`). */
export const HANDLER_BUNDLE_DIR = path.join(__dirname, '..', '..', 'assets', 'handler');

/** The id of the stack's shared provider: the start of its resources' logical ids. */
export const PROVIDER_ID = 'GlueConnectionTestProvider';
/** Connection ARNs per policy statement: well under a managed policy's 6,144 characters. */
const RESOURCES_PER_STATEMENT = 40;
const DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_MONTH;
/** The children built from the stack's options, rebuilt when the options change. */
const BUILT_CHILDREN = ['HandlerLogs', 'FrameworkLogs', 'SecurityGroup', 'Handler', 'HandlerOptionsPolicy', 'FrameworkPolicy', 'FrameworkRole', 'ImmutableRoleFrameworkRole', 'Provider'];

/**
 * The stack's shared connection-test provider, created on first use. Its role (the tests'
 * grant principal) is made once; its functions are built from the stack's handler options and
 * rebuilt, under the same ids, when `configure` changes them, so the template does not depend
 * on whether the options came before or after the tests. Anything that changes the functions
 * belongs in `build()`.
 */
export class GlueConnectionTestProvider extends Construct {
  /** The provider of the stack that holds `scope`, created on first use. */
  public static of(scope: Construct): GlueConnectionTestProvider {
    const stack = Stack.of(scope);
    return (stack.node.tryFindChild(PROVIDER_ID) as GlueConnectionTestProvider | undefined) ?? new GlueConnectionTestProvider(stack, PROVIDER_ID);
  }

  /** The stack's options, and the path of the construct that set each one. */
  private readonly options: { -readonly [K in keyof GlueConnectionTestHandlerOptions]: GlueConnectionTestHandlerOptions[K] } = {};
  private readonly optionOrigins: Partial<Record<keyof GlueConnectionTestHandlerOptions, string>> = {};
  private _handlerRole?: iam.Role;
  private _handler?: lambda.Function;
  private _handlerLogGroup?: logs.ILogGroup;
  /** Whether the log key's policy lets CloudWatch Logs use it (the key outlives rebuilds). */
  private keyPolicySet = false;
  private _serviceToken?: string;
  /** Tests of a named connection: test it, and read its status while waiting for READY. */
  private readonly namedStatements: iam.PolicyStatement[] = [];
  /** Tests of a TestConnectionInput, which names no connection. */
  private readonly inputStatements: iam.PolicyStatement[] = [];
  /** EC2's Describe actions for connections in a VPC, in a policy of their own (see grantNetworkRead). */
  private networkReadPolicy?: iam.ManagedPolicy;
  private networkReadStatement?: iam.PolicyStatement;
  /** The monitored tests, by schedule expression: one rule each, built with the functions. */
  private readonly schedules = new Map<string, ScheduleGroup>();

  private constructor(scope: Stack, id: string) {
    super(scope, id);
  }

  /**
   * Sets handler options for the whole stack. A value already set by another call must be
   * the same: a different one is an error that names both callers.
   */
  public configure(options: GlueConnectionTestHandlerOptions, origin: string): void {
    const errors = validateHandlerOptions(options);
    const merged: GlueConnectionTestHandlerOptions = { ...this.options };
    for (const name of HANDLER_OPTION_NAMES) {
      const value = options[name];
      if (value === undefined) continue;
      const existing = this.options[name];
      if (existing !== undefined && !sameOption(existing, value)) {
        errors.push(`${name} is already set to ${show(existing)} by ${this.optionOrigins[name]}; ${origin} sets it to ${show(value)}. `
          + 'The tests of a stack share one handler: give the option once, or the same value everywhere');
      }
      (merged as Record<string, unknown>)[name] = value;
    }
    if (errors.length === 0) errors.push(...validateHandlerOptions(merged).map((e) => `${e} (the stack's options combined)`));
    if (errors.length > 0) {
      throw new Error(`GlueConnectionTest.configureStack(${origin}): ${errors.length === 1 ? errors[0] : '\n  - ' + errors.join('\n  - ')}`);
    }
    for (const name of HANDLER_OPTION_NAMES) {
      if (options[name] !== undefined && this.options[name] === undefined) this.optionOrigins[name] = origin;
    }
    Object.assign(this.options, merged);
    if (this._handler) this.build();
  }

  /** The handler's role: the grant principal of every test in the stack. */
  public get handlerRole(): iam.Role {
    this.ensureBuilt();
    return this._handlerRole!;
  }

  /** The handler function that calls Glue. */
  public get handler(): lambda.IFunction {
    this.ensureBuilt();
    return this._handler!;
  }

  /** The service token of the Provider framework, for `CustomResource`. */
  public get serviceToken(): string {
    this.ensureBuilt();
    return this._serviceToken!;
  }

  /**
   * Lets the handler test one connection: `glue:TestConnection` and `glue:GetConnection` on the
   * connection and its catalog. A TestConnectionInput test names no connection: it gets
   * `glue:TestConnection` on its connection type, the resource type the Service Authorization
   * Reference lists for TestConnection besides `connection`
   * (`arn:${Partition}:glue:${Region}:${Account}:connectionType:TYPE`).
   */
  public grantTest(connectionName: string | undefined, catalogId: string | undefined, connectionType?: string): void {
    const stack = Stack.of(this);
    const account = catalogId ?? stack.account;
    if (connectionName !== undefined) {
      const catalog = stack.formatArn({ service: 'glue', resource: 'catalog', account, arnFormat: ArnFormat.NO_RESOURCE_NAME });
      const connection = stack.formatArn({ service: 'glue', resource: 'connection', account, resourceName: connectionName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
      this.allow(this.namedStatements, ['glue:TestConnection', 'glue:GetConnection'], [catalog, connection]);
    } else {
      const type = stack.formatArn({ service: 'glue', resource: 'connectionType', account, resourceName: connectionType ?? '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
      this.allow(this.inputStatements, ['glue:TestConnection'], [type]);
    }
  }

  /**
   * Lets the handler read what a connection in a VPC needs read: the EC2 Describe actions Glue's
   * TestConnection validates the VPC with, using the caller's permissions (TEST_CONNECTION_VPC_ACTIONS),
   * and with `inspection` those the handler's network inspection calls. They are in a managed
   * policy of their own, which the handler function depends on.
   */
  public grantNetworkRead(inspection: boolean): void {
    const actions = inspection ? NETWORK_INSPECTION_ACTIONS : TEST_CONNECTION_VPC_ACTIONS;
    if (!this.networkReadPolicy || !this.networkReadStatement) {
      // EC2's Describe actions support no resource-level permissions: "*" is the only resource they take.
      this.networkReadStatement = new iam.PolicyStatement({ actions: [...actions], resources: ['*'] });
      this.networkReadPolicy = new iam.ManagedPolicy(this, 'NetworkReadPolicy', {
        description: 'EC2 Describe actions of cdk-glue-connection-test: Glue validates a connection\'s VPC with them, and the handler inspects the path',
        roles: [this.handlerRole],
        statements: [this.networkReadStatement],
      });
      acknowledge(this.networkReadPolicy, 'AwsSolutions-IAM5[Resource::*]',
        'EC2 Describe actions (DescribeSubnets, DescribeSecurityGroups, DescribeRouteTables, DescribeVpcEndpoints, DescribeNatGateways, '
        + 'DescribeNetworkAcls, DescribeVpcAttribute) support no resource-level permissions, so "*" is their only resource; they read, and change nothing. '
        + "Glue's TestConnection validates a connection's VPC with them, with the caller's permissions, and the handler names the broken piece of the path with them.",
        'Resource::*');
      // The grant must exist when a test runs: the handler waits for it, as for its role's default policy.
      this._handler?.node.addDependency(this.networkReadPolicy);
    } else {
      const granted = this.networkReadStatement.actions;
      const missing = actions.filter((a) => !granted.includes(a));
      if (missing.length > 0) this.networkReadStatement.addActions(...missing);
    }
  }

  /**
   * Re-tests a test on its monitor's schedule: tests of the same schedule share one rule, whose
   * target is the handler (see monitor.ts). Nothing is granted: a scheduled run needs exactly what
   * the test's deploy-time run was granted, by the same role.
   */
  public monitor(monitor: CheckedMonitor, entry: MonitoredEntry): void {
    let group = this.schedules.get(monitor.expression);
    if (!group) {
      group = { monitor, entries: [] };
      this.schedules.set(monitor.expression, group);
      if (this._handler) buildScheduleRule(this, group, this._handler, this.options.reservedConcurrentExecutions);
    }
    group.entries.push(entry);
  }

  /** Constructs of the app that the functions use, as the options name them. */
  public uses(): IConstruct[] {
    const o = this.options;
    const subnets = o.vpc ? o.vpc.selectSubnets(o.vpcSubnets).subnets : [];
    return [o.logGroup, o.logEncryptionKey, ...(o.securityGroups ?? []), ...subnets]
      .filter((c): c is NonNullable<typeof c> => c !== undefined && Construct.isConstruct(c));
  }

  private ensureBuilt(): void {
    if (!this._handler) this.build();
  }

  /**
   * Builds (or rebuilds) the functions, their log groups and the framework from the options.
   * The handler role stays: it carries every grant made so far.
   */
  private build(): void {
    for (const id of BUILT_CHILDREN) this.node.tryRemoveChild(id);
    for (const expression of this.schedules.keys()) this.node.tryRemoveChild(ruleId(expression));
    const stack = Stack.of(this);
    const o = this.options;

    const handlerLogGroup = o.logGroup ?? this.logGroup('HandlerLogs');
    const frameworkLogGroup = o.logGroup ?? this.logGroup('FrameworkLogs');
    const securityGroups = o.vpc && !o.securityGroups
      ? [new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: o.vpc,
        description: 'Connection tests of cdk-glue-connection-test: outbound HTTPS to AWS APIs',
        allowAllOutbound: true,
      })]
      : o.securityGroups;
    const network = o.vpc ? { vpc: o.vpc, vpcSubnets: o.vpcSubnets, securityGroups } : {};

    if (!this._handlerRole) {
      const role = functionRole(this, 'HandlerRole', 'Tests Glue connections during deployment (cdk-glue-connection-test)');
      // The log group may change with the options: the statement reads the current one.
      role.addToPrincipalPolicy(logStatement(() => this._handlerLogGroup!.logGroupArn));
      // Read the stack's own status, to tell an Update made by a rollback from a deployment.
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['cloudformation:DescribeStacks'],
        resources: [stack.stackId],
      }));
      this._handlerRole = role;
      for (const pack of ['HIPAA.Security', 'NIST.800.53.R5']) {
        acknowledge(role.node.findChild('DefaultPolicy'), `${pack}-IAMNoInlinePolicy`, INLINE_POLICY_REASON);
      }
    }
    const role = this._handlerRole;

    const handler = new lambda.Function(this, 'Handler', {
      description: 'Tests Glue connections during deployment (cdk-glue-connection-test)',
      runtime: handlerRuntime(stack),
      architecture: lambda.Architecture.ARM_64,
      code: lambda.Code.fromAsset(HANDLER_BUNDLE_DIR),
      handler: 'index.handler',
      timeout: Duration.seconds(TIMEOUT_LIMITS.handlerLambdaSeconds),
      memorySize: 256,
      role,
      logGroup: handlerLogGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      reservedConcurrentExecutions: o.reservedConcurrentExecutions,
      ...network,
    });

    if (this.networkReadPolicy) handler.node.addDependency(this.networkReadPolicy);

    // What the options need of the handler's role goes in a policy of its own, rebuilt with the
    // options: the role's default policy carries the tests' grants in the order they were made,
    // and the options must not change that order. Tracing is set on the function's L1 for the
    // same reason (aws-cdk-lib would add its X-Ray statement to the default policy).
    const optionStatements: iam.PolicyStatement[] = [];
    const acknowledgements: string[] = [];
    if (o.vpc) {
      optionStatements.push(networkInterfaceStatement());
      acknowledgements.push(NETWORK_INTERFACES_REASON);
    }
    if (o.tracing !== undefined && o.tracing !== lambda.Tracing.DISABLED) {
      (handler.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: o.tracing };
      // As aws-cdk-lib's Function grants it for tracing.
      optionStatements.push(new iam.PolicyStatement({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] }));
      acknowledgements.push('X-Ray\'s PutTraceSegments and PutTelemetryRecords support no resource-level permissions.');
    }
    if (optionStatements.length > 0) {
      const policy = new iam.ManagedPolicy(this, 'HandlerOptionsPolicy', {
        description: 'What the stack-wide options of cdk-glue-connection-test need of its test handler',
        roles: [role],
        statements: optionStatements,
      });
      // Lambda checks the network-interface permissions when it creates the function.
      handler.node.addDependency(policy);
      acknowledge(policy, 'AwsSolutions-IAM5[Resource::*]', acknowledgements.join(' '), 'Resource::*');
    }

    // The framework's role gets its permissions from a managed policy of its own, and cr.Provider
    // a view of the role that drops its grantInvoke: the invoke statement is in the policy, so
    // the library adds no inline policy that compliance packs (IAMNoInlinePolicy) would flag.
    const handlerArn = handler.functionArn;
    const frameworkPolicy = new iam.ManagedPolicy(this, 'FrameworkPolicy', {
      description: 'Provider framework of cdk-glue-connection-test: its logs, and invoking the test handler',
      statements: [
        logStatement(() => frameworkLogGroup.logGroupArn),
        // What cr.Provider grants its framework role itself (grantInvoke, and GetFunction to wait
        // for a function that is not Active yet); test/construct/compliance.test.ts holds the two equal.
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [handlerArn, `${handlerArn}:*`] }),
        new iam.PolicyStatement({ actions: ['lambda:GetFunction'], resources: [handlerArn] }),
        ...(o.vpc ? [networkInterfaceStatement()] : []),
      ],
    });
    const frameworkRole = new iam.Role(this, 'FrameworkRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Provider framework of cdk-glue-connection-test',
      managedPolicies: [frameworkPolicy],
    });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: handler,
      logGroup: frameworkLogGroup,
      frameworkOnEventRole: frameworkRole.withoutPolicyUpdates(),
      ...network,
    });

    const handlerLogicalId = stack.getLogicalId(handler.node.defaultChild as lambda.CfnFunction);
    acknowledge(frameworkPolicy, `AwsSolutions-IAM5[Resource::<${handlerLogicalId}.Arn>:*]`,
      'The Provider framework may invoke any version of the stack\'s connection-test handler (the ARN with a :* qualifier), and that one function only.',
      `Resource::<${handlerLogicalId}.Arn>:*`);
    if (o.vpc) acknowledge(frameworkPolicy, 'AwsSolutions-IAM5[Resource::*]', NETWORK_INTERFACES_REASON, 'Resource::*');
    acknowledgeCompliance(handler, provider);
    this._handler = handler;
    this._handlerLogGroup = handlerLogGroup;
    this._serviceToken = provider.serviceToken;
    // The rules target the function just built.
    for (const group of this.schedules.values()) buildScheduleRule(this, group, handler, o.reservedConcurrentExecutions);
  }

  /** One of the library's own log groups, kept and encrypted as the options say. */
  private logGroup(id: string): logs.LogGroup {
    const key = this.options.logEncryptionKey;
    const logGroup = new logs.LogGroup(this, id, {
      retention: this.options.logRetention ?? DEFAULT_LOG_RETENTION,
      encryptionKey: key,
    });
    if (key && !this.keyPolicySet) {
      this.keyPolicySet = true;
      // CloudWatch Logs uses the key on the log group's behalf, so the key policy must let it
      // ("Encrypt log data in CloudWatch Logs using AWS KMS", CloudWatch Logs user guide), for
      // log groups of this account and region: naming the log group itself would make the key
      // and the log group refer to each other.
      const stack = Stack.of(this);
      const { statementAdded } = key.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
        },
      }), true);
      if (!statementAdded) {
        Annotations.of(this).addWarningV2('cdk-glue-connection-test:logKeyPolicy',
          `logEncryptionKey ${key.node.path} is imported, so its key policy cannot be changed here: it must let CloudWatch Logs `
          + `(logs.<region>.amazonaws.com) use the key for this account's log groups, or CloudFormation cannot create the handler's log groups.`);
      }
    }
    return logGroup;
  }

  /**
   * Adds resources to the statements of one kind, RESOURCES_PER_STATEMENT to a statement. A
   * stack with many tests outgrows the role's inline policy; CDK then moves whole statements
   * into managed policies of at most 6,144 characters, so no single statement may grow past one.
   */
  private allow(statements: iam.PolicyStatement[], actions: string[], arns: string[]): void {
    for (const arn of arns) {
      if (statements.some((s) => s.resources.includes(arn))) continue;
      let statement = statements[statements.length - 1];
      if (!statement || statement.resources.length >= RESOURCES_PER_STATEMENT) {
        statement = new iam.PolicyStatement({ actions });
        statements.push(statement);
        this.handlerRole.addToPrincipalPolicy(statement);
      }
      statement.addResources(arn);
    }
  }
}

/**
 * A Lambda function's role with nothing in it yet (no managed policy: AWSLambdaBasicExecutionRole
 * would allow every log group of the account).
 */
function functionRole(scope: Construct, id: string, description: string): iam.Role {
  return new iam.Role(scope, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description });
}

/** Writing to one log group, read when the template is made. */
function logStatement(logGroupArn: () => string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [Lazy.string({ produce: logGroupArn })],
  });
}

/**
 * What Lambda needs to attach a function to a VPC, as AWS's Lambda developer guide lists it
 * ("Giving Lambda functions access to resources in an Amazon VPC": the actions of the
 * AWSLambdaVPCAccessExecutionRole managed policy), written out so the role has no AWS managed
 * policy.
 */
function networkInterfaceStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [
      'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
    ],
    resources: ['*'],
  });
}
const NETWORK_INTERFACES_REASON = 'Lambda creates and deletes a VPC function\'s network interfaces with its role: the Describe actions '
  + 'support only "*", and the interfaces\' ids are unknown until Lambda creates them (AWS\'s AWSLambdaVPCAccessExecutionRole grants the same on "*").';

const INLINE_POLICY_REASON = 'The handler role\'s default policy is where aws-cdk-lib\'s grants land: the tests\' least-privilege '
  + 'statements and what users grant through test.grantPrincipal. aws-cdk-lib moves what outgrows a role\'s 10,240-character inline limit '
  + 'into managed policies (OverflowPolicy), which is how a stack holds hundreds of tests; managed policies alone would hold fewer. The '
  + 'policy belongs to one role the library creates and is not shared, so the reuse and versioning of managed policies do not apply.';

/**
 * What the compliance packs (cdk-nag's HIPAA.Security, NIST.800.53.R5 and Serverless) ask of
 * the functions that neither the library nor its users can give: aws-cdk-lib's cr.Provider does
 * not expose its framework function's dead-letter queue, reserved concurrency, memory size or
 * tracing, and the handler is only ever invoked synchronously.
 */
function acknowledgeCompliance(handler: lambda.Function, provider: cr.Provider): void {
  const handlerDlq = 'The Provider framework invokes the handler synchronously (RequestResponse) and turns its failure into the FAILED answer '
    + 'CloudFormation receives; Lambda sends only asynchronous invocations to a dead-letter queue. The only asynchronous ones are a monitor\'s '
    + 'scheduled runs (EventBridge), which never fail (each test\'s outcome is a metric in the log), so a queue would receive only a run that '
    + 'Lambda stopped, which the next scheduled run repeats.';
  for (const rule of ['HIPAA.Security-LambdaDLQ', 'NIST.800.53.R5-LambdaDLQ', 'Serverless-LambdaDLQ']) acknowledge(handler, rule, handlerDlq);

  const notExposed = 'aws-cdk-lib\'s custom-resources Provider creates this framework function and does not expose its';
  const framework: [string, string][] = [
    ['LambdaDLQ', `${notExposed} dead-letter queue. CloudFormation retries its asynchronous invocation, and an answer that never comes `
      + 'ends at the resource\'s ServiceTimeout (the test\'s timeout plus 90 seconds) with a FAILED status, so no event is lost silently.'],
    ['LambdaConcurrency', `${notExposed} reserved concurrency. It only forwards CloudFormation's events to the handler, whose concurrency `
      + 'GlueConnectionTest.configureStack({ reservedConcurrentExecutions }) sets.'],
  ];
  const targets = provider.node.findAll().filter((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction);
  for (const target of targets) {
    for (const [rule, reason] of framework) {
      for (const pack of ['HIPAA.Security', 'NIST.800.53.R5']) acknowledge(target, `${pack}-${rule}`, reason);
    }
    acknowledge(target, 'Serverless-LambdaDLQ', framework[0][1]);
    acknowledge(target, 'Serverless-LambdaDefaultMemorySize', `${notExposed} memory size; it forwards one small event at a time.`);
    acknowledge(target, 'Serverless-LambdaTracing', `${notExposed} tracing; the handler, which does the work, is traced with `
      + 'GlueConnectionTest.configureStack({ tracing }).');
  }
}

/** An option's value, for an error message. */
function show(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'node' in value) return (value as Construct).node.path;
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value, (k, v) => (k && typeof v === 'object' && v && 'node' in v ? (v as Construct).node.path : v));
  return JSON.stringify(value);
}

/** The oldest Node.js major version the handler is deployed on. */
const MIN_NODE_MAJOR = 22;

/**
 * The newest Node.js runtime this aws-cdk-lib knows for the stack's region, but never one
 * older than Node.js 22: the oldest releases of the peer range answer nodejs20.x (a FindInMap
 * in a region-agnostic stack), a runtime that reached its end of life in April 2026 and that
 * Lambda deprecates. The bundle targets Node.js 20, so every runtime chosen here runs it.
 */
function handlerRuntime(stack: Stack): lambda.Runtime {
  const latest = lambda.determineLatestNodeRuntime(stack);
  const name: unknown = stack.resolve(latest.name);
  const major = typeof name === 'string' ? /^nodejs(\d+)\.x$/.exec(name) : null;
  return major && Number(major[1]) >= MIN_NODE_MAJOR ? latest : lambda.Runtime.NODEJS_22_X;
}
