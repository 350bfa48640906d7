/**
 * GlueConnectionTest: a deployment gate that runs Glue's TestConnection during `cdk deploy`.
 */
import { Annotations, CfnResource, CustomResource, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { MONITOR_METRICS, MONITORED_PROPERTIES, MonitoredTest } from '../contract/monitor';
import { FailureMode, NetworkInspection, RESOURCE_TYPE, ResourceProperties, TIMEOUT_LIMITS } from '../contract/resource';
import { Finding, SECRET_POINTER_MEMBERS, TestConnectionInputShape, validateRequest } from '../contract/request';
import { checkGateArguments, validateGates } from './gate';
import { GlueConnectionTestHandlerOptions } from './handler-options';
import { CheckedMonitor, GlueConnectionTestMonitor, metricPeriod } from './monitor';
import { checkTestOptions, networkChecks } from './option-checks';
import { NetworkCheck } from '../network/rules';
import { PathGate } from '../network/path-gate';
import { grantPassRole } from './pass-role';
import { GlueConnectionTestProvider } from './provider';
import { propsFromRequestJson } from '../request/request-json';
import { describeValue, isPlainObject } from '../private/cfn-values';
import { nameOrConnection } from '../private/connection-references';
import { definitionOf } from '../private/resource-definition';
import { grantSecretValue } from '../request/secret-reference';
import { propPathOf, renderTestConnectionInput, TestConnectionInput } from '../request/test-connection-input';

/** Settings of a connection test other than which connection it tests. */
export interface GlueConnectionTestOptions {
  /**
   * The ID of the Data Catalog the connection is in.
   *
   * @default - the catalog of the account the stack deploys to
   */
  readonly catalogId?: string;

  /**
   * The test's deadline: waiting for the connection, reading secrets and Glue's TestConnection
   * together. Between 30 seconds and 10 minutes. CloudFormation's ServiceTimeout for the
   * resource is set 90 seconds above it, so a lost answer holds the stack no longer than that.
   *
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;

  /**
   * What a failed test does.
   *
   * @default FailureMode.FAIL_DEPLOYMENT
   */
  readonly failureMode?: FailureMode;

  /**
   * Whether to wait until GetConnection reports the connection's Status as READY before testing
   * it (a connection created in the same deployment can still be IN_PROGRESS).
   *
   * @default - true when `connection` is given, false otherwise
   */
  readonly waitForReady?: boolean;

  /**
   * Whether to re-run the test on every deployment, not only when the test or the tested
   * connection changes. It puts a value that differs on every synth into the template, so
   * snapshot tests of the stack change on every run.
   *
   * @default false
   */
  readonly retestOnEveryDeploy?: boolean;

  /**
   * Network checks not to make at `cdk synth`, for a connection whose network path is completed
   * outside CDK (a route or rule added by another tool, a path in a shared network account).
   * The deploy-time test still covers them.
   *
   * @default - every check is made where the path is in the app
   */
  readonly acknowledgedNetworkChecks?: NetworkCheck[];

  /**
   * When the handler inspects the network path of a connection in a VPC with EC2's Describe
   * APIs, to name in the reason the route table, security group, network ACL or VPC setting to
   * change. `NetworkInspection.DISABLED` also leaves out its EC2 grants (those Glue's
   * TestConnection itself needs for a connection in a VPC stay).
   *
   * @default NetworkInspection.ON_FAILURE
   */
  readonly networkInspection?: NetworkInspection;

  /**
   * Re-test the connection on a schedule after the deployment, and publish each run's outcome
   * as CloudWatch metrics (`metricFailed()`, `metricDuration()`), with the reason in the same
   * log entry. The stack's test handler runs the schedule's tests (no function is added): the
   * same test as at deploy time, secrets read at run time. A failed run changes nothing in the
   * stack; alarm on `metricFailed()` to hear of it.
   *
   * @default - the connection is tested at deployment only
   */
  readonly monitor?: GlueConnectionTestMonitor;
}

/** Properties of a GlueConnectionTest: which connection to test, and how. */
export interface GlueConnectionTestProps extends GlueConnectionTestOptions {
  /**
   * The name of an existing connection to test. Give exactly one of `connectionName`,
   * `connection` and `testConnectionInput`. A connection of this app's that the name means
   * (its `Ref`, from this stack or another; or its literal name, when exactly one connection
   * of the app carries it in the test's account, region and catalog) is tested as `connection`
   * would test it: waited for, fingerprinted, its network path analysed.
   *
   * @default - none
   */
  readonly connectionName?: string;

  /**
   * A connection defined in this app: a `glue.CfnConnection`, or an L2 construct whose default
   * child is one (such as `glue.Connection`). The test takes its name and catalog, runs after
   * it is created, and runs again whenever its definition changes.
   *
   * @default - none
   */
  readonly connection?: IConstruct;

  /**
   * A connection definition to test without creating it. Its secrets are Secrets Manager
   * references that the handler reads at deploy time.
   *
   * @default - none
   */
  readonly testConnectionInput?: TestConnectionInput;
}

/**
 * Tests an AWS Glue connection during `cdk deploy`, with Glue's TestConnection API, and fails
 * the deployment with a reason a person can act on when the connection's credentials or network
 * path are invalid. Constructs passed to `gate()` are created only after the test passes.
 *
 * @example
 * const test = new GlueConnectionTest(this, 'OrdersDbTest', { connection: ordersDb });
 * test.gate(etlJob);
 */
export class GlueConnectionTest extends Construct implements iam.IGrantable {
  /** The CloudFormation resource type of a connection test. */
  public static readonly RESOURCE_TYPE: string = RESOURCE_TYPE;

  /**
   * Sets options of the test handler that every GlueConnectionTest in the stack of `scope`
   * shares (logs, VPC, concurrency, tracing). Call it before or after creating the tests; the
   * template is the same. A second call may repeat a value but not change it: a different value
   * is an error naming both callers.
   *
   * @param scope the stack, or any construct in it; its path names the caller in errors
   * @param options the handler options to set for the whole stack
   * @example
   * GlueConnectionTest.configureStack(this, { logRetention: logs.RetentionDays.ONE_WEEK });
   */
  public static configureStack(scope: Construct, options: GlueConnectionTestHandlerOptions): void {
    GlueConnectionTestProvider.of(scope).configure(options, scope.node.path || Stack.of(scope).stackName);
  }

  /**
   * A test built from the JSON that `aws glue test-connection --cli-input-json` takes
   * (`ConnectionName`, `CatalogId`, `TestConnectionInput`; see `--generate-cli-skeleton`).
   * Secret members must be Secrets Manager references written as
   * `{{resolve:secretsmanager:secret-arn:SecretString:json-key}}`; the handler reads them at
   * deploy time. A plain value in a secret member is an error.
   *
   * @param scope the scope of the test
   * @param id the test's construct id
   * @param requestJson the request as JSON text, e.g. a file's contents
   * @param options how to test (failure mode, timeout, ...)
   * @example
   * GlueConnectionTest.fromRequestJson(this, 'FromJson', '{"ConnectionName": "orders-db"}');
   */
  public static fromRequestJson(scope: Construct, id: string, requestJson: string, options: GlueConnectionTestOptions = {}): GlueConnectionTest {
    const { props, notes } = propsFromRequestJson(requestJson);
    const test = new GlueConnectionTest(scope, id, { ...options, ...props });
    for (const note of notes) Annotations.of(test).addWarningV2('cdk-glue-connection-test:skeletonPlaceholder', note);
    return test;
  }

  /** `PASSED`, `FAILED` (only in REPORT_ONLY mode) or `SKIPPED` (an Update during rollback). */
  public readonly result: string;
  /** Why the test failed or was skipped; empty when it passed. */
  public readonly reason: string;
  /** When the test ran (ISO-8601). */
  public readonly testedAt: string;
  /** How long the test took, in milliseconds. */
  public readonly durationMs: string;
  /** The name of the tested connection, when the test names one. */
  public readonly connectionName?: string;
  /** The custom resource that runs the test. */
  public readonly resource: CustomResource;
  /**
   * The stack's shared test handler: grant it what a connection needs beyond what the test
   * grants itself, e.g. `key.grantDecrypt(test)` for a key that encrypts a secret.
   */
  public readonly grantPrincipal: iam.IPrincipal;

  private readonly provider: GlueConnectionTestProvider;
  /** The checked `monitor` option, when the test is monitored. */
  private readonly monitor?: CheckedMonitor;
  /** The metrics' ConnectionName dimension: the connection's name, or the test's path. */
  private readonly metricConnectionName: string;
  /** What `gate()` was given, checked when the app is final. */
  private readonly gated: IConstruct[] = [];
  private readonly acknowledgedChecks = new Set<NetworkCheck>();

  /**
   * @param scope the scope of the test; the stack's shared handler is created in its stack
   * @param id the test's construct id
   * @param props which connection to test, and how
   */
  constructor(scope: Construct, id: string, props: GlueConnectionTestProps) {
    super(scope, id);
    const errors: string[] = [];
    // JavaScript callers can pass any value, or none: the types are checked here, not only by tsc.
    if (!isPlainObject(props as unknown)) {
      throw new Error(`GlueConnectionTest ${this.node.path}: props: must be an object that gives one of ${CONNECTION_CHOICES} (got ${describeValue(props)})`);
    }

    const given = (['connectionName', 'connection', 'testConnectionInput'] as const).filter((k) => props[k] !== undefined);
    if (given.length !== 1) {
      errors.push(given.length === 0
        ? `give one of ${CONNECTION_CHOICES}`
        : `give only one of connectionName, connection and testConnectionInput (got ${given.join(' and ')})`);
    }

    // A connectionName that is an in-app connection's Ref (this stack's or another's) is that connection.
    const cfnConnection = props.connection !== undefined ? findCfnConnection(props.connection, errors) : connectionOfRef(this, props.connectionName);
    // The Ref to the connection also makes CloudFormation create it before the test.
    const connectionName = props.connectionName ?? (cfnConnection ? cfnConnection.ref : undefined);
    const catalogId = props.catalogId ?? cfnConnection?.catalogId;
    const rendered = props.testConnectionInput ? renderTestConnectionInput(this, props.testConnectionInput) : undefined;
    errors.push(...(rendered?.errors ?? []));

    const { timeoutSeconds, acknowledgedNetworkChecks, monitor } = checkTestOptions(props, errors);
    for (const check of acknowledgedNetworkChecks) this.acknowledgedChecks.add(check);

    // With the choice of connection settled above, the API's rules check the request.
    if (given.length === 1 && (connectionName !== undefined || rendered !== undefined)) {
      const findings = validateRequest({
        ConnectionName: connectionName,
        CatalogId: catalogId,
        TestConnectionInput: rendered?.input,
        secretTargets: rendered?.secretTargets,
      }, Token.isUnresolved);
      errors.push(...findings.errors.map(describe));
      for (const warning of findings.warnings) {
        Annotations.of(this).addWarningV2(`cdk-glue-connection-test:${warning.code ?? 'request'}`, describe(warning));
      }
    }
    if (errors.length > 0) {
      throw new Error(`GlueConnectionTest ${this.node.path}: ${errors.length === 1 ? errors[0] : '\n  - ' + errors.join('\n  - ')}`);
    }

    this.provider = GlueConnectionTestProvider.of(this);
    this.grantPrincipal = this.provider.handlerRole;
    this.provider.grantTest(connectionName, catalogId, rendered?.input.ConnectionType);
    if (connectionName !== undefined && !Token.isUnresolved(connectionName) && /[*?]/.test(connectionName)) {
      Annotations.of(this).addWarningV2('cdk-glue-connection-test:wildcardConnectionName',
        `connectionName "${connectionName}" holds * or ?, which IAM reads as wildcards: the test handler's glue:TestConnection and `
        + 'glue:GetConnection grant covers every connection of the catalog whose name the pattern matches. Rename the connection to scope it to one.');
    }
    for (const s of rendered?.secrets ?? []) grantSecretValue(this, this.provider.handlerRole, s.SecretId);
    this.grantGlueSecretPointers(rendered?.input);
    // A connection of the app: path-gate.ts grants iam:PassRole on its ROLE_ARN once the app is final.
    if (rendered) grantPassRole(this.provider.handlerRole, rendered.input.ConnectionProperties?.ROLE_ARN);
    // A named connection may be in a VPC (a TestConnectionInput carries no PhysicalConnectionRequirements).
    if (connectionName !== undefined && mayBeInVpc(cfnConnection)) this.provider.grantNetworkRead(props.networkInspection !== NetworkInspection.DISABLED);

    // The connection's network path, found once the app is final (see path-gate.ts).
    const gate = rendered ? undefined : new PathGate(this, {
      resource: () => this.resource.node.defaultChild as CfnResource,
      connection: cfnConnection,
      connectionName: props.connectionName,
      catalogId,
      grantee: this.provider.handlerRole,
      acknowledged: () => [...this.acknowledgedChecks],
    });
    const properties: ResourceProperties = {
      ConnectionName: connectionName,
      CatalogId: catalogId,
      TestConnectionInput: rendered?.input,
      SecretReferences: rendered && rendered.secrets.length > 0 ? rendered.secrets : undefined,
      FailureMode: props.failureMode ?? FailureMode.FAIL_DEPLOYMENT,
      TimeoutSeconds: String(timeoutSeconds),
      WaitForReady: props.waitForReady !== undefined ? String(props.waitForReady) : gate?.waitForReady ?? 'false',
      ConnectionFingerprint: gate?.connectionFingerprint,
      RetestNonce: props.retestOnEveryDeploy ? new Date().toISOString() : undefined,
      NetworkPath: gate?.identity as ResourceProperties['NetworkPath'],
      NetworkPathDigest: gate?.digest,
      NetworkInspection: props.networkInspection,
    };
    this.resource = new CustomResource(this, 'Resource', {
      resourceType: RESOURCE_TYPE,
      // The framework is rebuilt if the stack's options change after this test.
      serviceToken: Lazy.string({ produce: () => this.provider.serviceToken }),
      properties: properties as Record<string, unknown>,
      serviceTimeout: Duration.seconds(timeoutSeconds + TIMEOUT_LIMITS.serviceTimeoutMarginSeconds),
    });
    this.node.addValidation({ validate: () => noDynamicReferences(this.resource, properties) });
    this.node.addValidation({
      validate: () => validateGates({
        test: this,
        resource: this.resource.node.defaultChild as CfnResource,
        connection: cfnConnection,
        properties,
        handlerUses: () => this.provider.uses(),
      }, this.gated),
    });

    this.connectionName = connectionName;
    // A test of a TestConnectionInput names no connection: its metrics are the test's, by path.
    this.metricConnectionName = connectionName ?? this.node.path;
    if (monitor) {
      this.monitor = monitor;
      // The same values as the resource's properties, which the validation above keeps free of dynamic references.
      const test = Object.fromEntries(MONITORED_PROPERTIES.map((k) => [k, properties[k]]).filter(([, v]) => v !== undefined));
      this.provider.monitor(monitor, {
        path: this.node.path, timeoutSeconds, test: { ...(connectionName === undefined && { MetricConnectionName: this.metricConnectionName }), ...test } as MonitoredTest,
      });
    }
    this.result = this.resource.getAttString('Result');
    this.reason = this.resource.getAttString('Reason');
    this.testedAt = this.resource.getAttString('TestedAt');
    this.durationMs = this.resource.getAttString('DurationMs');
  }

  /**
   * Makes each construct wait for the test: it is created or updated only after the test
   * passes, and never when it fails (in FAIL_DEPLOYMENT mode).
   *
   * @param constructs the constructs that use the connection (Glue jobs, crawlers, ...)
   */
  public gate(...constructs: IConstruct[]): void {
    checkGateArguments(this.node.path, constructs);
    for (const c of constructs) {
      c.node.addDependency(this);
      this.gated.push(c);
    }
  }

  /**
   * Switches network checks off at `cdk synth` for this test's connection, as the
   * `acknowledgedNetworkChecks` prop does: for a path completed outside CDK.
   *
   * @param checks the checks to switch off
   */
  public acknowledgeNetworkChecks(...checks: NetworkCheck[]): void {
    const errors: string[] = [];
    const valid = networkChecks('acknowledgeNetworkChecks', checks, errors);
    if (errors.length > 0) throw new Error(`GlueConnectionTest ${this.node.path}: ${errors.join('; ')}`);
    for (const check of valid) this.acknowledgedChecks.add(check);
  }

  /**
   * Whether the monitor's scheduled runs failed: 1 for a run that failed, 0 for one that passed,
   * from the log of the stack's test handler (namespace `GlueConnectionTest`, dimension
   * `ConnectionName`). Only a test with `monitor` publishes it.
   *
   * Default: sum over the schedule's interval for a rate schedule, 5 minutes for a cron
   *
   * @param props options of the metric (statistic, period, label, ...)
   * @example
   * test.metricFailed().createAlarm(this, 'OrdersDbBroken', { threshold: 1, evaluationPeriods: 1 });
   */
  public metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.monitorMetric('metricFailed', MONITOR_METRICS.failed, 'Sum', props);
  }

  /**
   * How long the monitor's scheduled runs of the test took, in milliseconds. Only a test with
   * `monitor` publishes it.
   *
   * Default: average over the schedule's interval for a rate schedule, 5 minutes for a cron
   *
   * @param props options of the metric (statistic, period, label, ...)
   */
  public metricDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.monitorMetric('metricDuration', MONITOR_METRICS.duration, 'Average', props);
  }

  /** A metric of the monitor, as aws-cdk-lib's constructs build theirs (e.g. Canary's cannedMetric). */
  private monitorMetric(method: string, metricName: string, statistic: string, props: cloudwatch.MetricOptions | undefined): cloudwatch.Metric {
    if (!this.monitor) {
      throw new Error(`GlueConnectionTest ${this.node.path}: ${method}(): the test has no monitor, so nothing publishes this metric; `
        + 'give it monitor: { schedule } (an alarm on it would never fire)');
    }
    return new cloudwatch.Metric({
      namespace: MONITOR_METRICS.namespace,
      metricName,
      dimensionsMap: { [MONITOR_METRICS.dimension]: this.metricConnectionName },
      statistic,
      period: metricPeriod(this.monitor),
      ...props,
    }).attachTo(this);
  }

  /**
   * Glue reads the secrets named by SECRET_ID and AuthenticationConfiguration.SecretArn itself,
   * with the caller's permissions: the handler gets read access to them, and decrypt on the
   * given KmsKeyArn. (For a connection of the app, path-gate.ts grants the same once it is final.)
   */
  private grantGlueSecretPointers(input: TestConnectionInputShape | undefined): void {
    const role = this.provider.handlerRole;
    const secretIds = [
      input?.ConnectionProperties?.[SECRET_POINTER_MEMBERS.connectionProperty],
      input?.AuthenticationConfiguration?.[SECRET_POINTER_MEMBERS.authenticationConfiguration],
    ];
    for (const id of new Set(secretIds)) {
      if (typeof id === 'string' && id.length > 0) grantSecretValue(this, role, id);
    }
    const kmsKeyArn = input?.AuthenticationConfiguration?.KmsKeyArn;
    if (kmsKeyArn) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [kmsKeyArn] }));
    }
  }
}

/**
 * Whether the tested connection may be in a VPC: a connection of this app whose definition has
 * no PhysicalConnectionRequirements is not; one known only by name may be.
 */
function mayBeInVpc(connection: glue.CfnConnection | undefined): boolean {
  if (!connection || Token.isUnresolved(connection.connectionInput)) return true;
  return (connection.connectionInput as glue.CfnConnection.ConnectionInputProperty).physicalConnectionRequirements !== undefined;
}

/** The connection of the app whose `Ref` a `connectionName` token is, when it is one. */
function connectionOfRef(scope: IConstruct, connectionName: string | undefined): glue.CfnConnection | undefined {
  if (connectionName === undefined || !Token.isUnresolved(connectionName)) return undefined;
  const target = nameOrConnection(scope, connectionName);
  return target instanceof glue.CfnConnection ? target : undefined;
}

/** The choice of connection, for the messages that ask for one. */
const CONNECTION_CHOICES = 'connectionName (an existing connection), connection (a CfnConnection or Connection in this app) '
  + 'or testConnectionInput (a definition to test)';

/** What the `connection` prop takes, for its message. */
export const CONNECTION_FORMS = 'a glue.CfnConnection, or a construct whose default child is one such as glue.Connection';

/**
 * The CfnConnection a `connection` prop stands for: itself, or the L2's default child.
 * JavaScript callers can pass any value (`{ name: 'orders-db' }`): it is named, not dereferenced.
 */
function findCfnConnection(connection: unknown, errors: string[]): glue.CfnConnection | undefined {
  if (!Construct.isConstruct(connection)) {
    errors.push(`connection: must be ${CONNECTION_FORMS} (got ${describeValue(connection)}); to test a connection by its name, give connectionName`);
    return undefined;
  }
  const candidate = connection instanceof glue.CfnConnection ? connection : connection.node.defaultChild;
  if (candidate instanceof glue.CfnConnection) return candidate;
  errors.push(`connection: must be ${CONNECTION_FORMS} (got ${connection.node.path})`);
  return undefined;
}

/**
 * Refuses a template in which a dynamic reference reaches the custom resource: CloudFormation
 * would resolve it and hand the secret to the handler in the event.
 */
function noDynamicReferences(resource: CustomResource, properties: ResourceProperties): string[] {
  const cfn = resource.node.defaultChild as CfnResource;
  const rendered = JSON.stringify(definitionOf(cfn, properties).properties);
  return rendered.includes('{{resolve:')
    ? ['a CloudFormation dynamic reference ({{resolve:...}}) reached the properties of the connection test; CloudFormation would resolve it into the event. Pass secrets as SecretValue props.']
    : [];
}

/** A finding of the shared rules, in the construct's own prop names. */
function describe(finding: Finding): string {
  const path = finding.path.length === 0 ? 'props' : propPathOf(finding.path);
  return `${path}: ${finding.message}`;
}

