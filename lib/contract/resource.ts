/**
 * The custom resource's contract between the construct (`lib/`) and its handler (`lambda/`,
 * `core/`): the resource's type and properties as CloudFormation delivers them, the shape of a
 * secret reference, the limits on the test's deadline, the result attributes, the EC2 actions
 * the handler is granted, and the public enums that name these settings.
 *
 * This module imports nothing from aws-cdk-lib: esbuild inlines it into the handler bundle.
 */
import type { TestConnectionInputShape } from './request';

/** The CloudFormation resource type of a connection test. */
export const RESOURCE_TYPE = 'Custom::GlueConnectionTest';

/**
 * What a connection test does when Glue rejects the connection.
 */
export enum FailureMode {
  /** The deployment fails and rolls back, with the reason as the resource's status reason. */
  FAIL_DEPLOYMENT = 'FAIL_DEPLOYMENT',
  /**
   * The deployment goes on; the result and the reason are the resource's `Result` and `Reason`
   * attributes (for a stack output, say).
   */
  REPORT_ONLY = 'REPORT_ONLY',
}

/** Limits of a test's deadline, in seconds. */
export const TIMEOUT_LIMITS = {
  /** Default deadline of one test. */
  defaultSeconds: 300,
  /** Shortest deadline: Glue's TestConnection alone often takes tens of seconds. */
  minSeconds: 30,
  /** Longest deadline; the handler's Lambda timeout is set above it. */
  maxSeconds: 600,
  /**
   * The handler's Lambda timeout: the longest deadline plus a margin for start-up, so that the
   * handler always answers before Lambda stops it.
   */
  handlerLambdaSeconds: 660,
  /**
   * CloudFormation's ServiceTimeout is the test's deadline plus this margin: the handler's
   * start-up and the framework's response PUT, retried up to five times.
   */
  serviceTimeoutMarginSeconds: 90,
} as const;

/**
 * A reference to a value in Secrets Manager that the handler resolves just before it calls
 * Glue and writes into the request at {@link SecretReference.Target}.
 */
export interface SecretReference {
  /** Where the value goes: a JSON Pointer (RFC 6901) into TestConnectionInput. */
  readonly Target: string;
  /** The secret's ARN, partial ARN or name. */
  readonly SecretId: string;
  /** The key of the value in a JSON SecretString; the whole SecretString when absent. */
  readonly JsonField?: string;
  /** The version stage to read; AWSCURRENT when absent. */
  readonly VersionStage?: string;
  /** The version id to read. */
  readonly VersionId?: string;
}

/**
 * The properties of a `Custom::GlueConnectionTest` resource. The first three mirror Glue's
 * TestConnection request; secret members of TestConnectionInput are absent from it and given
 * as {@link SecretReference}s instead. CloudFormation delivers every scalar as a string.
 */
export interface ResourceProperties {
  readonly ConnectionName?: string;
  readonly CatalogId?: string;
  readonly TestConnectionInput?: TestConnectionInputShape;
  readonly SecretReferences?: SecretReference[];
  /** A {@link FailureMode} value. */
  readonly FailureMode?: string;
  /** The test's deadline in seconds, within {@link TIMEOUT_LIMITS}. */
  readonly TimeoutSeconds?: string;
  /** A {@link NetworkInspection} value; ON_FAILURE when absent. */
  readonly NetworkInspection?: string;
  /** "true" or "false": wait until GetConnection reports Status READY before testing. */
  readonly WaitForReady?: string;
  /** A digest of the tested connection's definition: a changed one re-runs the test. */
  readonly ConnectionFingerprint?: string;
  /** Present when the test re-runs on every deployment: a value that differs each time. */
  readonly RetestNonce?: string;
  /**
   * The deploy-time identity of the tested connection's in-app network path (Refs and GetAtts,
   * which CloudFormation resolves to ids): a replaced subnet, group, route table or endpoint
   * changes it and so re-runs the test. Never a secret value.
   */
  readonly NetworkPath?: NetworkPathIdentity;
  /** A digest of the definitions of the path's in-app resources: a changed one re-runs the test. */
  readonly NetworkPathDigest?: string;
}

/** The ids of a connection's network path, as CloudFormation delivers them to the handler. */
export interface NetworkPathIdentity {
  readonly VpcId?: string;
  readonly SubnetId?: string;
  readonly RouteTableId?: string;
  readonly NetworkAclId?: string;
  readonly SecurityGroupIds?: string[];
  readonly VpcEndpointIds?: string[];
  /** NAT gateways, internet gateways and the other targets of the route table's routes. */
  readonly RouteTargetIds?: string[];
  readonly DataStoreSecurityGroupIds?: string[];
  /** The secrets Glue reads (ARNs, never values). */
  readonly SecretArns?: string[];
}

/** The members of {@link NetworkPathIdentity}: a single id, or a list of ids. */
export const NETWORK_PATH_IDENTITY_MEMBERS: Readonly<Record<keyof NetworkPathIdentity, 'id' | 'list'>> = {
  VpcId: 'id',
  SubnetId: 'id',
  RouteTableId: 'id',
  NetworkAclId: 'id',
  SecurityGroupIds: 'list',
  VpcEndpointIds: 'list',
  RouteTargetIds: 'list',
  DataStoreSecurityGroupIds: 'list',
  SecretArns: 'list',
};

/**
 * Whether, and when, the handler inspects a failed connection's network path with EC2's
 * Describe APIs, to name the route table, security group, network ACL or VPC setting to change.
 */
export enum NetworkInspection {
  /**
   * When the test of a connection with a VPC fails with a network-shaped error (network, DNS,
   * timeout): the findings join the reason. The outcome of the test never changes.
   */
  ON_FAILURE = 'ON_FAILURE',
  /**
   * Also before the test, as a fast preflight: a path that breaks one of the rules Glue itself
   * enforces with a documented error (an S3 route, the self-referencing inbound rule, open
   * egress) fails at once, without waiting for TestConnection; other findings join the reason
   * only if the test then fails.
   */
  BEFORE_TEST = 'BEFORE_TEST',
  /** Never: the handler is granted no EC2 Describe action for it. */
  DISABLED = 'DISABLED',
}

/**
 * The EC2 actions Glue's TestConnection is documented to use with the caller's permissions to
 * validate a connection's VPC (AWS Glue Developer Guide, "Troubleshooting Glue common setup
 * errors": "DescribeVpcEndpoints action is unauthorized", "DescribeRouteTables action is
 * unauthorized", "Failed to call ec2:DescribeSubnets", "Failed to call
 * ec2:DescribeSecurityGroups"). Describe actions support no resource-level permissions.
 */
export const TEST_CONNECTION_VPC_ACTIONS: readonly string[] = [
  'ec2:DescribeVpcEndpoints', 'ec2:DescribeRouteTables', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups',
];

/** The EC2 actions the handler's network inspection calls (core/inspect-network.ts). */
export const NETWORK_INSPECTION_ACTIONS: readonly string[] = [
  ...TEST_CONNECTION_VPC_ACTIONS, 'ec2:DescribeNatGateways', 'ec2:DescribeNetworkAcls', 'ec2:DescribeVpcAttribute',
];

/** The outcome of a test, as the resource's attributes. */
export enum TestResult {
  /** Glue's TestConnection accepted the connection. */
  PASSED = 'PASSED',
  /** Glue rejected the connection, or the test could not finish (REPORT_ONLY mode only). */
  FAILED = 'FAILED',
  /** The test was not run: an Update while the stack rolls back. */
  SKIPPED = 'SKIPPED',
}

/** The attributes the handler returns (`Fn::GetAtt` names). */
export interface ResultData {
  readonly Result: TestResult;
  /** Why the test failed or was skipped; empty when it passed. */
  readonly Reason: string;
  /** ISO-8601 time the answer was made. */
  readonly TestedAt: string;
  /** How long the handler took, in milliseconds. */
  readonly DurationMs: string;
}

/** The longest reason the handler produces; the framework adds its own lines to it. */
export const MAX_REASON_LENGTH = 1000;
