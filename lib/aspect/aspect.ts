/**
 * GlueConnectionTestAspect: one line that tests every Glue connection of an app and gates every
 * Glue resource that uses one.
 */
import { Annotations, CfnResource, IAspect } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct, IConstruct } from 'constructs';
import { assemblyDescendants, assemblyOf } from '../private/assembly';
import {
  ConnectionKey, connectionFieldOf, connectionKey, connectionUsesOf, keyOfConnection, literalConnectionType, nameOrConnection, sameConnection,
} from '../private/connection-references';
import { TESTABLE_CONNECTION_TYPES } from '../contract/request';
import { CONNECTION_FORMS, GlueConnectionTest, GlueConnectionTestOptions } from '../construct/glue-connection-test';
import { checkTestOptions } from '../construct/option-checks';
import { describeValue, isPlainObject } from '../private/cfn-values';

/**
 * Decides which connections a `GlueConnectionTestAspect` tests. Implement it to leave
 * connections out by any rule of your own (a naming convention, a tag, a stack).
 *
 * @example
 * import { GlueConnectionTestAspect, IGlueConnectionFilter } from 'cdk-glue-connection-test';
 *
 * class SkipSandbox implements IGlueConnectionFilter {
 *   public shouldTest(connection: glue.CfnConnection): boolean {
 *     return !connection.node.path.includes('Sandbox');
 *   }
 * }
 * new GlueConnectionTestAspect({ filter: new SkipSandbox() });
 */
export interface IGlueConnectionFilter {
  /**
   * Whether the aspect should test this connection (and gate the resources that use it).
   *
   * @param connection the connection's `CfnConnection`; for an L2 such as `glue.Connection`,
   * its default child (`connection.node.scope` is the L2).
   */
  shouldTest(connection: glue.CfnConnection): boolean;
}

/**
 * Settings of a `GlueConnectionTestAspect`: the settings of every test it adds, and which
 * connections it leaves out.
 */
export interface GlueConnectionTestAspectProps extends GlueConnectionTestOptions {
  /**
   * The connection types to test (Glue's `ConnectionType`, e.g. `JDBC`). A connection of
   * another type is left out without a word; one whose type is a token is tested.
   *
   * @default - the types Glue's TestConnection is documented to accept (JDBC and SALESFORCE).
   * A connection of another type is not tested, and gets a warning that says so.
   */
  readonly connectionTypes?: string[];

  /**
   * Leaves out every connection for which `filter.shouldTest()` returns false.
   *
   * @default - no filter: every connection of a tested type
   */
  readonly filter?: IGlueConnectionFilter;
}

/**
 * Tests every Glue connection in its scope during `cdk deploy`, and makes every Glue resource
 * that uses one wait for its test.
 *
 * For each `glue.CfnConnection` in scope (and each L2, such as `glue.Connection`, whose default
 * child is one) that has no `GlueConnectionTest` yet, it adds one as a child of the connection
 * (id `ConnectionTest`), exactly as `new GlueConnectionTest(scope, id, { connection })` does.
 * Every Glue job, interactive session, crawler (every target kind), federated database and
 * catalog, ML transform, view, table optimizer and integration resource property in scope that
 * names a connection, by literal name or by `Ref`, then depends on that connection's tests,
 * hand-written ones included. A resource whose connection cannot be resolved (an imported
 * name, a parameter, a connection neither in the app nor tested by name) gets a warning that
 * names it. Applying the aspect twice adds nothing.
 *
 * @example
 * import { App, Aspects } from 'aws-cdk-lib';
 * import { GlueConnectionTestAspect } from 'cdk-glue-connection-test';
 *
 * const app = new App();
 * // ... the app's stacks, with their connections, jobs and crawlers
 * Aspects.of(app).add(new GlueConnectionTestAspect());
 */
export class GlueConnectionTestAspect implements IAspect {
  /**
   * Marks a connection that no `GlueConnectionTestAspect` should test. The resources that use
   * it are not gated either, and get no warning.
   *
   * @param connection a `glue.CfnConnection`, or an L2 whose default child is one
   *
   * @example
   * import { GlueConnectionTestAspect } from 'cdk-glue-connection-test';
   *
   * declare const sandboxDb: glue.CfnConnection;
   * GlueConnectionTestAspect.exclude(sandboxDb);
   */
  public static exclude(connection: IConstruct): void {
    const cfn = Construct.isConstruct(connection) ? cfnConnectionOf(connection) : undefined;
    if (!cfn) {
      const got = Construct.isConstruct(connection) ? connection.node.path : describeValue(connection);
      throw new Error(`GlueConnectionTestAspect.exclude: connection must be ${CONNECTION_FORMS} (got ${got})`);
    }
    EXCLUDED.add(cfn);
  }

  private readonly testOptions: GlueConnectionTestOptions;
  private readonly connectionTypes?: readonly string[];
  private readonly filter?: IGlueConnectionFilter;
  /** The constructs this aspect was applied to; connections under them are its to test. */
  private readonly roots: IConstruct[] = [];
  /** Nodes already handled, so that each is handled once however often it is visited. */
  private readonly handled = new WeakSet<IConstruct>();
  /** Connections already warned of, once each. */
  private readonly warned = new WeakSet<IConstruct>();
  private index?: TestIndex;

  /**
   * @param props the settings of every test the aspect adds, and which connections it leaves out
   */
  constructor(props: GlueConnectionTestAspectProps = {}) {
    // Checked here, when the aspect is made, and named after it: JavaScript callers can pass any
    // value, and a mistake found only when a connection turns up would name a generated test.
    if (!isPlainObject(props as unknown)) {
      throw new Error(`GlueConnectionTestAspect: props: must be an object of options, or nothing (got ${describeValue(props)})`);
    }
    const { connectionTypes, filter, ...testOptions } = props;
    const errors: string[] = [];
    for (const key of ['connectionName', 'connection', 'testConnectionInput'] as const) {
      if ((props as Record<string, unknown>)[key] !== undefined) {
        errors.push(`${key}: each test takes the connection it tests; remove ${key} (to test one connection, use new GlueConnectionTest(scope, id, { ${key} }))`);
      }
    }
    if (testOptions.catalogId !== undefined) {
      errors.push('catalogId: each test takes the catalog of the connection it tests (the CfnConnection\'s catalogId); remove catalogId');
    }
    checkTestOptions(testOptions, errors);
    errors.push(...checkConnectionTypes(connectionTypes));
    if (filter !== undefined && !isFilter(filter)) {
      errors.push(`filter: must be an IGlueConnectionFilter, an object with a shouldTest(connection) method (got ${describeValue(filter)}); `
        + 'to filter with a function f, pass { shouldTest: f }');
    }
    if (errors.length > 0) {
      throw new Error(`GlueConnectionTestAspect: ${errors.length === 1 ? errors[0] : '\n  - ' + errors.join('\n  - ')}`);
    }
    this.testOptions = testOptions;
    this.connectionTypes = connectionTypes;
    this.filter = filter;
  }

  /**
   * Called by CDK for each construct in scope. The first call for a scope handles the whole
   * scope at once, so that in the legacy (unstabilized) Aspect invocation too every construct
   * it adds is created before CDK descends into the scope, and is seen by the app's other aspects.
   *
   * @param node the construct CDK visits
   */
  public visit(node: IConstruct): void {
    if (!this.inScope(node)) {
      this.roots.push(node);
      this.index = undefined; // a fresh index: another aspect may have added tests since
      for (const n of assemblyDescendants(node)) this.handle(n);
      return;
    }
    this.handle(node);
  }

  private handle(node: IConstruct): void {
    if (this.handled.has(node)) return;
    this.handled.add(node);
    if (node instanceof GlueConnectionTest) {
      this.index?.addTest(node);
    } else if (node instanceof glue.CfnConnection) {
      this.index?.addConnection(node);
      if (this.decide(node) === 'test') this.testsOf(node, true);
    } else if (connectionFieldOf(node) !== undefined) {
      this.gate(node as CfnResource);
    }
  }

  /** Makes a resource that names connections wait for their tests, or warns why it cannot. */
  private gate(resource: CfnResource): void {
    const field = connectionFieldOf(resource)!;
    // Named and annotated as the construct the user made: an L2 job rather than its CfnJob.
    const user = ownerOf(resource);
    const what = `${field.kind} ${user.node.path}`;
    for (const use of connectionUsesOf(resource)) {
      if ('unresolved' in use) {
        warnUngated(user, `${what} uses a connection that GlueConnectionTestAspect cannot resolve (${use.path}: ${use.unresolved}), so it is not gated. `
          + 'Test that connection with new GlueConnectionTest(scope, id, { connectionName }) and pass this resource to test.gate().');
        continue;
      }
      const index = this.testIndex();
      let connections: glue.CfnConnection[];
      let tests: GlueConnectionTest[] = [];
      if ('connection' in use) {
        connections = [use.connection];
      } else {
        const key = connectionKey(resource, use.name);
        connections = index.connectionsByName.get(key);
        tests = index.testsByName.get(key);
        if (connections.length === 0 && tests.length === 0) {
          warnUngated(user, `${what} uses connection "${use.name}" (${use.path}), which is not defined in this app and has no GlueConnectionTest, so it is not gated. `
            + `Test it with new GlueConnectionTest(scope, id, { connectionName: '${use.name}' }): the aspect then gates this resource on that test.`);
          continue;
        }
      }
      for (const connection of connections) {
        if (this.decide(connection) !== 'test') continue;
        const found = this.testsOf(connection, this.inScope(connection));
        if (found.length === 0) {
          warnUngated(user, `${what} uses connection ${ownerOf(connection).node.path} (${use.path}), which is outside the scope of GlueConnectionTestAspect and has no GlueConnectionTest, so it is not gated. `
            + 'Apply the aspect to a scope that holds both, or test the connection by hand.');
        }
        tests.push(...found);
      }
      // gate(), so that its synth-time checks (a cycle named, not CDK's generic error) apply here too.
      for (const test of new Set(tests)) test.gate(resource);
    }
  }

  /**
   * The tests of a connection: hand-written ones (with `connection`, or with `connectionName`
   * and the connection's name), and the one an aspect added. With `create`, adds one if none.
   */
  private testsOf(connection: glue.CfnConnection, create: boolean): GlueConnectionTest[] {
    const index = this.testIndex();
    const owner = ownerOf(connection);
    const key = keyOfConnection(connection);
    const added = owner.node.tryFindChild(TEST_ID);
    const tests = new Set<GlueConnectionTest>([
      ...index.testsByConnection.get(connection) ?? [],
      ...key !== undefined ? index.testsByName.get(key) : [],
      ...added instanceof GlueConnectionTest ? [added] : [],
    ]);
    if (tests.size === 0 && create) {
      const test = new GlueConnectionTest(owner, owner.node.tryFindChild(TEST_ID) ? `Glue${TEST_ID}` : TEST_ID, { ...this.testOptions, connection: owner });
      this.handled.add(test);
      index.addTest(test);
      tests.add(test);
    }
    return [...tests];
  }

  /** Whether the aspect tests a connection, leaves it out as asked, or cannot test its type. */
  private decide(connection: glue.CfnConnection): 'test' | 'excluded' | 'untestable' {
    if (EXCLUDED.has(connection)) return 'excluded';
    if (this.filter && !this.filter.shouldTest(connection)) return 'excluded';
    const type = literalConnectionType(connection);
    if (type === undefined) return 'test';
    if (this.connectionTypes) return this.connectionTypes.includes(type) ? 'test' : 'excluded';
    if (TESTABLE_CONNECTION_TYPES.includes(type)) return 'test';
    if (!this.warned.has(connection)) {
      this.warned.add(connection);
      Annotations.of(ownerOf(connection)).addWarningV2('cdk-glue-connection-test:untestableConnectionType',
        `connection ${ownerOf(connection).node.path} is of type ${type}, and Glue's TestConnection is documented for ${TESTABLE_CONNECTION_TYPES.join(' and ')} only: `
        + 'GlueConnectionTestAspect does not test it, so the resources that use it are not gated. Leave it out with GlueConnectionTestAspect.exclude(connection) '
        + 'to silence this warning, or list its type in connectionTypes to test it anyway.');
    }
    return 'untestable';
  }

  private inScope(node: IConstruct): boolean {
    return this.roots.some((root) => node.node.scopes.includes(root));
  }

  private testIndex(): TestIndex {
    if (!this.index) {
      // Names are matched within the root's cloud assembly: its Stage (the app, or a nested Stage).
      const root = this.roots[0];
      this.index = TestIndex.of(assemblyOf(root));
    }
    return this.index;
  }
}

/** The id of the test the aspect adds under a connection. */
const TEST_ID = 'ConnectionTest';

/**
 * Connections marked with `GlueConnectionTestAspect.exclude`. A WeakSet: the mark lives and dies
 * with the construct, and no test has to reset it.
 */
const EXCLUDED = new WeakSet<IConstruct>();

/** The app's connections by name and its tests by what they test. */
class TestIndex {
  public static of(root: IConstruct): TestIndex {
    const index = new TestIndex();
    for (const node of assemblyDescendants(root)) {
      if (node instanceof GlueConnectionTest) index.addTest(node);
      else if (node instanceof glue.CfnConnection) index.addConnection(node);
    }
    return index;
  }

  /** By catalog, region and name (connection-references.ts `sameConnection`). */
  public readonly connectionsByName = new ByConnectionKey<glue.CfnConnection>();
  public readonly testsByConnection = new Map<glue.CfnConnection, GlueConnectionTest[]>();
  /** Tests given `connectionName`; keyed as `connectionsByName`. */
  public readonly testsByName = new ByConnectionKey<GlueConnectionTest>();
  private readonly seen = new WeakSet<IConstruct>();

  public addConnection(connection: glue.CfnConnection): void {
    if (this.seen.has(connection)) return;
    this.seen.add(connection);
    const key = keyOfConnection(connection);
    if (key !== undefined) this.connectionsByName.add(key, connection);
  }

  public addTest(test: GlueConnectionTest): void {
    if (this.seen.has(test)) return;
    this.seen.add(test);
    const target = nameOrConnection(test, test.connectionName);
    if (target instanceof glue.CfnConnection) push(this.testsByConnection, target, test);
    else if (typeof target === 'string') this.testsByName.add(connectionKey(test, target), test);
  }
}

/** Values by connection key; a lookup returns every value whose key may name the same connection. */
class ByConnectionKey<V> {
  private readonly byName = new Map<string, { key: ConnectionKey; value: V }[]>();

  public add(key: ConnectionKey, value: V): void {
    push(this.byName, key.name, { key, value });
  }

  public get(key: ConnectionKey): V[] {
    return (this.byName.get(key.name) ?? []).filter((e) => sameConnection(e.key, key)).map((e) => e.value);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The construct a user made for a resource: the L2 whose default child it is, else itself. */
function ownerOf(resource: CfnResource): IConstruct {
  const parent = resource.node.scope;
  return parent && parent.node.defaultChild === resource ? parent : resource;
}

/** Problems with `connectionTypes` as a JavaScript caller may give it: a list of type names. */
function checkConnectionTypes(connectionTypes: unknown): string[] {
  if (connectionTypes === undefined) return [];
  // A single string would be taken letter by letter, and then match nothing.
  if (!Array.isArray(connectionTypes)) {
    return [`connectionTypes: must be a list of connection type names, such as ['JDBC'] (got ${describeValue(connectionTypes)})`];
  }
  if (connectionTypes.length === 0) {
    return ['connectionTypes: give at least one connection type (e.g. [\'JDBC\']), or leave it out for JDBC and SALESFORCE'];
  }
  return connectionTypes.flatMap((type: unknown, i) => (typeof type === 'string' && type.length > 0 ? []
    : [`connectionTypes[${i}]: must be a connection type name such as 'JDBC' (got ${describeValue(type)})`]));
}

/** Whether a `filter` is usable: anything with a `shouldTest` method, as jsii's other languages pass it. */
function isFilter(filter: unknown): filter is IGlueConnectionFilter {
  return filter !== null && typeof filter === 'object' && typeof (filter as { shouldTest?: unknown }).shouldTest === 'function';
}

function cfnConnectionOf(construct: IConstruct): glue.CfnConnection | undefined {
  if (construct instanceof glue.CfnConnection) return construct;
  const child = construct.node.defaultChild;
  return child instanceof glue.CfnConnection ? child : undefined;
}

function warnUngated(resource: IConstruct, message: string): void {
  Annotations.of(resource).addWarningV2('cdk-glue-connection-test:ungatedConnectionUse', message);
}
