/**
 * The one handler Lambda and the one Provider framework of a stack, shared by all its
 * connection tests: a stack with 200 tests has the same two functions as one with a single test.
 */
import * as path from 'path';
import { Duration, Stack, ArnFormat } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { TIMEOUT_LIMITS } from './contract';

/** Where the pre-built handler bundle lives, relative to this file (built by `npm run bundle`). */
export const HANDLER_BUNDLE_DIR = path.join(__dirname, 'handler');

const PROVIDER_ID = 'GlueConnectionTestProvider';
/**
 * The current Node.js runtime. The package's peer range starts before aws-cdk-lib knew
 * nodejs24.x; those releases get nodejs22.x (the bundle targets Node.js 20 and runs on both).
 */
const HANDLER_RUNTIME = (lambda.Runtime as unknown as { NODEJS_24_X?: lambda.Runtime }).NODEJS_24_X ?? lambda.Runtime.NODEJS_22_X;
/** Connection ARNs per policy statement: well under a managed policy's 6,144 characters. */
const RESOURCES_PER_STATEMENT = 40;
const DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

/** Options of the stack's shared provider. */
export interface GlueConnectionTestProviderProps {
  /**
   * How long the handler's and the framework's logs are kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The stack's shared connection-test provider. Obtain it with `GlueConnectionTestProvider.of`.
 */
export class GlueConnectionTestProvider extends Construct {
  /**
   * The provider of the stack that holds `scope`, created on first use. A later call with a
   * different `logRetention` is an error: the stack's tests share one handler.
   */
  public static of(scope: Construct, props: GlueConnectionTestProviderProps = {}): GlueConnectionTestProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PROVIDER_ID) as GlueConnectionTestProvider | undefined;
    if (!existing) return new GlueConnectionTestProvider(stack, PROVIDER_ID, props);
    const wanted = props.logRetention ?? DEFAULT_LOG_RETENTION;
    if (props.logRetention !== undefined && wanted !== existing.logRetention) {
      throw new Error(`logRetention: the connection tests of stack ${stack.stackName} share one handler, whose log retention is already ${existing.logRetention} days; give every test the same logRetention (got ${wanted})`);
    }
    return existing;
  }

  /** The handler function that calls Glue. */
  public readonly handler: lambda.IFunction;
  /** The handler's role: add to it what your connection needs (e.g. `kms:Decrypt` on a key). */
  public readonly handlerRole: iam.IRole;
  /** The service token of the Provider framework, for `CustomResource`. */
  public readonly serviceToken: string;
  /** How long the handler's and the framework's logs are kept, in days. */
  public readonly logRetention: logs.RetentionDays;

  /** Tests of a named connection: test it, and read its status while waiting for READY. */
  private readonly namedStatements: iam.PolicyStatement[] = [];
  /** Tests of a TestConnectionInput, which names no connection. */
  private readonly inputStatements: iam.PolicyStatement[] = [];

  private constructor(scope: Stack, id: string, props: GlueConnectionTestProviderProps) {
    super(scope, id);
    this.logRetention = props.logRetention ?? DEFAULT_LOG_RETENTION;

    const handlerLogGroup = new logs.LogGroup(this, 'HandlerLogs', { retention: this.logRetention });
    const role = functionRole(this, 'HandlerRole', 'Tests Glue connections during deployment (cdk-glue-connection-test)', handlerLogGroup);
    // Read the stack's own status, to tell an Update made by a rollback from a deployment.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['cloudformation:DescribeStacks'],
      resources: [scope.stackId],
    }));

    const handler = new lambda.Function(this, 'Handler', {
      description: 'Tests Glue connections during deployment (cdk-glue-connection-test)',
      runtime: HANDLER_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      code: lambda.Code.fromAsset(HANDLER_BUNDLE_DIR),
      handler: 'index.handler',
      timeout: Duration.seconds(TIMEOUT_LIMITS.handlerLambdaSeconds),
      memorySize: 256,
      role,
      logGroup: handlerLogGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
    });

    const frameworkLogGroup = new logs.LogGroup(this, 'FrameworkLogs', { retention: this.logRetention });
    // The Provider adds the permission to invoke the handler.
    const frameworkOnEventRole = functionRole(this, 'FrameworkRole', 'Provider framework of cdk-glue-connection-test', frameworkLogGroup);
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: handler,
      logGroup: frameworkLogGroup,
      frameworkOnEventRole,
    });

    const handlerLogicalId = scope.getLogicalId(handler.node.defaultChild as lambda.CfnFunction);
    acknowledge(frameworkOnEventRole.node.findChild('DefaultPolicy'), `AwsSolutions-IAM5[Resource::<${handlerLogicalId}.Arn>:*]`,
      'The Provider framework may invoke any version of the stack\'s connection-test handler (the ARN with a :* qualifier), and that one function only.',
      `Resource::<${handlerLogicalId}.Arn>:*`);
    this.handler = handler;
    this.handlerRole = role;
    this.serviceToken = provider.serviceToken;
  }

  /**
   * Lets the handler test one connection: `glue:TestConnection` and `glue:GetConnection` on the
   * connection and its catalog. With no name (a TestConnectionInput test) it grants the
   * catalog and the catalog's connections, since such a test names no connection.
   */
  public grantTest(connectionName: string | undefined, catalogId: string | undefined): void {
    const stack = Stack.of(this);
    const account = catalogId ?? stack.account;
    const catalog = stack.formatArn({ service: 'glue', resource: 'catalog', account, arnFormat: ArnFormat.NO_RESOURCE_NAME });
    const connection = stack.formatArn({
      service: 'glue', resource: 'connection', account, resourceName: connectionName ?? '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    if (connectionName !== undefined) this.allow(this.namedStatements, ['glue:TestConnection', 'glue:GetConnection'], [catalog, connection]);
    else this.allow(this.inputStatements, ['glue:TestConnection'], [catalog, connection]);
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
 * A Lambda function's role that may write to its own log group and nothing else yet (no
 * managed policy: AWSLambdaBasicExecutionRole would allow every log group of the account).
 */
function functionRole(scope: Construct, id: string, description: string, logGroup: logs.ILogGroup): iam.Role {
  const role = new iam.Role(scope, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logGroup.logGroupArn],
  }));
  return role;
}
