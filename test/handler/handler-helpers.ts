/**
 * Shared fixtures of the handler suites (test/handler-*.test.ts): the mocked AWS clients, the
 * events CloudFormation sends through the Provider framework, a Lambda context, and a capture
 * of everything the handler writes to the console.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { GlueClient } from '@aws-sdk/client-glue';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type {
  CloudFormationCustomResourceCreateEvent, CloudFormationCustomResourceDeleteEvent, CloudFormationCustomResourceUpdateEvent, Context,
} from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
// The matchers are installed by jest.config.js; this import brings their types.
import 'aws-sdk-client-mock-jest';
import { handler, HandlerResponse } from '../../lambda';

export const glueMock = mockClient(GlueClient);
export const secretsMock = mockClient(SecretsManagerClient);
export const cloudFormationMock = mockClient(CloudFormationClient);
export const ec2Mock = mockClient(EC2Client);

export function resetMocks(): void {
  glueMock.reset();
  secretsMock.reset();
  cloudFormationMock.reset();
  ec2Mock.reset();
}

/** Every call the handler made to any AWS client. */
export function allAwsCalls(): unknown[] {
  return [...glueMock.calls(), ...secretsMock.calls(), ...cloudFormationMock.calls(), ...ec2Mock.calls()];
}

/** An error as the AWS SDK throws it: told apart by its name. */
export function awsError(name: string, message = `${name} (message from the service)`): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export const STACK_ID = 'arn:aws:cloudformation:eu-west-1:111122223333:stack/OrdersStack/5b0e9a40-8f1e-11ef-8c2a-0a1b2c3d4e5f';
export const LOGICAL_ID = 'OrdersDbTest';
export const PHYSICAL_ID = `glue-connection-test:${LOGICAL_ID}`;
/** The presigned URL the Provider framework answers on: it must never be logged. */
export const RESPONSE_URL_SIGNATURE = 'RESPONSEURLCANARY9d1f0c';
export const RESPONSE_URL = 'https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/'
  + 'arn%3Aaws%3Acloudformation%3Aeu-west-1%3A111122223333%3Astack/OrdersStack/5b0e9a40%7COrdersDbTest%7C1f2e3d4c'
  + `?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20250101T000000Z&X-Amz-Expires=7200&X-Amz-Signature=${RESPONSE_URL_SIGNATURE}`;

const SERVICE_TOKEN = 'arn:aws:lambda:eu-west-1:111122223333:function:OrdersStack-GlueConnectionTestProviderframeworkon-AbCdEf';

function common(properties: Record<string, unknown>) {
  return {
    ServiceToken: SERVICE_TOKEN,
    ResponseURL: RESPONSE_URL,
    StackId: STACK_ID,
    RequestId: '1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9',
    LogicalResourceId: LOGICAL_ID,
    ResourceType: 'Custom::GlueConnectionTest',
    ResourceProperties: { ServiceToken: SERVICE_TOKEN, ...properties },
  };
}

export function createEvent(properties: Record<string, unknown>): CloudFormationCustomResourceCreateEvent {
  return { RequestType: 'Create', ...common(properties) };
}

export function updateEvent(properties: Record<string, unknown>, physicalResourceId = PHYSICAL_ID): CloudFormationCustomResourceUpdateEvent {
  return {
    RequestType: 'Update',
    ...common(properties),
    PhysicalResourceId: physicalResourceId,
    OldResourceProperties: { ServiceToken: SERVICE_TOKEN, ...properties, ConnectionFingerprint: 'previous' },
  };
}

export function deleteEvent(properties: Record<string, unknown>, physicalResourceId = PHYSICAL_ID): CloudFormationCustomResourceDeleteEvent {
  return { RequestType: 'Delete', ...common(properties), PhysicalResourceId: physicalResourceId };
}

/** A Lambda context with the given time left (the handler's Lambda timeout is 660 s). */
export function lambdaContext(remainingMs = 660_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'OrdersStack-GlueConnectionTestProviderHandler-AbCdEf',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:OrdersStack-GlueConnectionTestProviderHandler-AbCdEf',
    memoryLimitInMB: '256',
    awsRequestId: 'c0ffee00-0000-4000-8000-000000000000',
    logGroupName: '/aws/lambda/OrdersStack-GlueConnectionTestProviderHandler-AbCdEf',
    logStreamName: '2025/01/01/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Runs the handler with a roomy Lambda context. */
export function run(event: Parameters<typeof handler>[0], context = lambdaContext()): Promise<HandlerResponse> {
  return handler(event, context);
}

/** Runs the handler and returns what it threw; fails the test if it answered instead. */
export async function failureOf(event: Parameters<typeof handler>[0], context = lambdaContext()): Promise<Error> {
  let answer: HandlerResponse;
  try {
    answer = await handler(event, context);
  } catch (e) {
    return e as Error;
  }
  throw new Error(`expected the handler to throw, but it answered ${JSON.stringify(answer)}`);
}

/**
 * Captures everything written through the console while a suite runs (and keeps the test
 * output quiet). Call at the top of a describe block or file.
 */
export function captureConsole(): { lines: string[]; records: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  beforeEach(() => {
    lines.length = 0;
    for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a) ?? String(a))).join(' '));
      });
    }
  });
  afterEach(() => jest.restoreAllMocks());
  return {
    lines,
    /** The log lines parsed as the JSON objects the handler writes. */
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** A JDBC definition whose PASSWORD comes from Secrets Manager. */
export const DB_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-db-AbCdEf';
export function jdbcDefinition(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    TestConnectionInput: {
      ConnectionType: 'JDBC',
      ConnectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://orders.internal:5432/orders', USERNAME: 'app' },
    },
    SecretReferences: [{ Target: '/ConnectionProperties/PASSWORD', SecretId: DB_SECRET_ARN, JsonField: 'password' }],
    ...extra,
  };
}
