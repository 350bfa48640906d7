/**
 * `gate()`'s guard rails: what it is given must be a construct; a construct with nothing to
 * wait (no CloudFormation resource outside the test) is a warning; and a construct that holds
 * something the test itself waits for (its connection, a resource of the connection's network
 * path) would make the two wait for each other, which is refused at synth with the cycle named,
 * instead of CloudFormation's "Circular dependency between resources" at deploy.
 */
import { Annotations, CfnResource, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct, IConstruct } from 'constructs';
import { describeValue, referencedIds } from '../private/cfn-values';

/** What the test waits for, read when the app is final. */
export interface GateContext {
  /** The test construct. */
  readonly test: IConstruct;
  /** The test's CloudFormation resource. */
  readonly resource: CfnResource;
  /** The tested connection, when it is in the app. */
  readonly connection?: glue.CfnConnection;
  /** The properties the test's resource was given (their Refs and GetAtts are waited for). */
  readonly properties: unknown;
  /** Constructs of the app that the stack's test handler uses (its VPC's subnets, its log key). */
  readonly handlerUses: () => IConstruct[];
}

/** Refuses an argument of `gate()` that is not a construct, naming its position and type. */
export function checkGateArguments(testPath: string, constructs: readonly unknown[]): void {
  constructs.forEach((c, i) => {
    if (!Construct.isConstruct(c)) {
      throw new Error(`GlueConnectionTest ${testPath}: gate: argument ${i + 1} must be a construct that is to wait for the test, `
        + `such as a glue.CfnJob, a glue.CfnCrawler or an L2 job (got ${describeValue(c)})`);
    }
  });
}

/**
 * The synth-time checks of the gated constructs: errors for cycles; warnings, added to the
 * gated construct, for a gate that does nothing.
 */
export function validateGates(context: GateContext, gated: readonly IConstruct[]): string[] {
  if (gated.length === 0) return [];
  const { constructs: waitedConstructs, ids: waitedIds } = waitedFor(context);
  const stack = Stack.of(context.test);
  const errors: string[] = [];
  const testPath = context.test.node.path;
  for (const c of new Set(gated)) {
    const path = c.node.path || '(the app)';
    if (Stack.isStack(c) && c === stack) {
      warn(c, `gate(${path}) does nothing: a stack cannot wait for a resource inside it. Gate the constructs that use the connection (a job, a crawler) instead.`);
      continue;
    }
    // Only the gated construct's own resources are looked at, so a stack of hundreds of tests
    // does not look at every resource once per test.
    const resources = c.node.findAll().filter((x): x is CfnResource => CfnResource.isCfnResource(x) && !x.node.scopes.includes(context.test));
    const inside = [...waitedConstructs].find(([r]) => r === c || r.node.scopes.includes(c))
      ?? resources.filter((r) => Stack.of(r) === stack).map((r): [IConstruct, string] | undefined => {
        const why = waitedIds.get(stack.resolve(r.logicalId));
        return why ? [r, why] : undefined;
      }).find((x) => x !== undefined);
    if (inside) {
      const [resource, why] = inside;
      errors.push(`gate(${path}): ${resource.node.path} (${why}) is inside it, so the test and it would wait for each other: `
        + `${testPath} -> ${resource.node.path} -> ${testPath}. Gate the constructs that use the connection (a job, a crawler), not one that holds the connection or its network path.`);
      continue;
    }
    if (resources.length === 0) {
      warn(c, `gate(${path}) does nothing: ${c === context.test ? 'it is the test itself' : 'it holds no CloudFormation resource (only resources wait; an output, a parameter or an empty construct cannot)'}. `
        + 'Gate the constructs that use the connection (a job, a crawler) instead.');
    }
  }
  return errors;
}

/**
 * What the test waits for, each with why: constructs it knows (the connection, its DependsOn,
 * what the handler uses) and the logical ids its properties and the connection's refer to.
 */
function waitedFor(context: GateContext): { constructs: Map<IConstruct, string>; ids: Map<string, string> } {
  const stack = Stack.of(context.test);
  const constructs = new Map<IConstruct, string>();
  const add = (r: IConstruct, why: string) => {
    if (!r.node.scopes.includes(context.test) && !constructs.has(r)) constructs.set(r, why);
  };
  const ids = new Map<string, string>();
  if (context.connection) {
    add(context.connection, 'the tested connection');
    // The connection waits for what its definition refers to (subnet, security groups, secret).
    for (const id of referencedIds(stack.resolve(context.connection.connectionInput))) ids.set(id, 'a resource the tested connection refers to');
  }
  for (const id of referencedIds(stack.resolve(context.properties))) if (!ids.has(id)) ids.set(id, 'a resource the test refers to');
  for (const r of context.resource.obtainDependencies()) {
    if (CfnResource.isCfnResource(r)) add(r, 'a resource the test depends on');
  }
  for (const c of context.handlerUses()) add(c, 'used by the stack\'s test handler');
  return { constructs, ids };
}

function warn(scope: IConstruct, message: string): void {
  Annotations.of(scope).addWarningV2('cdk-glue-connection-test:gateNoOp', message);
}
