/** GlueConnectionTestAspect: every connection of an app tested, every user of one gated, in one line. */
import { App, AspectPriority, Aspects, CfnResource, Fn, IAspect, Stack, Stage, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { FailureMode, GlueConnectionTest, GlueConnectionTestAspect, GlueConnectionTestAspectProps, NetworkCheck } from '../../lib';

const ENV = { account: '111122223333', region: 'eu-west-1' };
/** A role ARN of the shape CloudFormation's schema validation accepts. */
const ROLE_ARN = 'arn:aws:iam::111122223333:role/GlueServiceRole';
const TEST_TYPE = 'Custom::GlueConnectionTest';

function jdbc(scope: IConstruct, id: string, name: string, type = 'JDBC'): glue.CfnConnection {
  return new glue.CfnConnection(scope, id, {
    catalogId: Stack.of(scope).account,
    connectionInput: {
      name,
      connectionType: type,
      connectionProperties: { JDBC_CONNECTION_URL: `jdbc:postgresql://${name}.internal:5432/app`, SECRET_ID: `${name}-login` },
    },
  });
}

function cfnJob(scope: IConstruct, id: string, connections: string[]): glue.CfnJob {
  return new glue.CfnJob(scope, id, {
    role: 'arn:aws:iam::111122223333:role/etl',
    command: { name: 'glueetl', scriptLocation: 's3://scripts/etl.py' },
    connections: { connections },
  });
}

/**
 * The app the issue asks for: three stacks, five connections (one tested by hand, one left
 * out), six jobs (L1 and L2) and three crawlers, using connections by Ref, by literal name and
 * by a name the aspect cannot resolve.
 */
function pipelineApp(context: Record<string, unknown> = {}) {
  const app = new App({ context });
  const data = new Stack(app, 'Data', { env: ENV });
  const analytics = new Stack(app, 'Analytics', { env: ENV });
  const jobs = new Stack(app, 'Jobs', { env: ENV });

  // Five connections.
  const ordersDb = jdbc(data, 'OrdersDb', 'orders-db');
  const customersDb = new glue.Connection(data, 'CustomersDb', {
    type: glue.ConnectionType.JDBC,
    connectionName: 'customers-db',
    properties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://customers.internal:5432/app', SECRET_ID: 'customers-login' },
  });
  const ledgerDb = jdbc(data, 'LedgerDb', 'ledger-db');
  const ledgerTest = new GlueConnectionTest(data, 'LedgerDbTest', { connection: ledgerDb }); // by hand
  const eventsDb = jdbc(analytics, 'EventsDb', 'events-db');
  const legacyDb = jdbc(analytics, 'LegacyDb', 'legacy-db');
  GlueConnectionTestAspect.exclude(legacyDb); // left out

  // Six jobs.
  const role = new iam.Role(data, 'EtlRole', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
  const script = glue.Code.fromBucket(s3.Bucket.fromBucketName(data, 'Scripts', 'scripts'), 'etl.py');
  const ordersEtl = cfnJob(data, 'OrdersEtl', [ordersDb.ref]); // L1, Ref, same stack
  const customersEtl = new glue.PySparkEtlJob(data, 'CustomersEtl', { role, script, connections: [customersDb] }); // L2
  const ledgerReport = cfnJob(jobs, 'LedgerReport', ['ledger-db']); // L1, literal, other stack, hand-written test
  const eventsSync = new glue.PythonShellJob(jobs, 'EventsSync', {
    role: iam.Role.fromRoleArn(jobs, 'JobsRole', 'arn:aws:iam::111122223333:role/etl'),
    script: glue.Code.fromBucket(s3.Bucket.fromBucketName(jobs, 'JobScripts', 'scripts'), 'sync.py'),
    connections: [glue.Connection.fromConnectionName(jobs, 'EventsByName', 'events-db')],
  }); // L2, literal, other stack
  const ordersToEvents = cfnJob(jobs, 'OrdersToEvents', [ordersDb.ref, eventsDb.ref, 'legacy-db']); // Refs across stacks
  const partnerSync = cfnJob(jobs, 'PartnerSync', [Fn.importValue('partner-db-name')]); // unresolvable

  // Three crawlers.
  const eventsCrawler = new glue.CfnCrawler(analytics, 'EventsCrawler', {
    role: 'arn:aws:iam::111122223333:role/crawler',
    databaseName: 'events',
    targets: { jdbcTargets: [{ connectionName: eventsDb.ref, path: 'events/%' }], s3Targets: [{ path: 's3://events/raw/' }] },
  });
  const catalogCrawler = new glue.CfnCrawler(jobs, 'CatalogCrawler', {
    role: 'arn:aws:iam::111122223333:role/crawler',
    targets: {
      catalogTargets: [{ connectionName: 'orders-db', databaseName: 'orders', tables: ['orders'] }],
      icebergTargets: [{ connectionName: 'partner-db', paths: ['s3://partner/iceberg/'] }],
    },
  });
  const lakeCrawler = new glue.CfnCrawler(data, 'LakeCrawler', {
    role: 'arn:aws:iam::111122223333:role/crawler',
    databaseName: 'lake',
    targets: {
      deltaTargets: [{ connectionName: 'customers-db', deltaTables: ['s3://lake/customers/'] }],
      mongoDbTargets: [{ connectionName: 'legacy-db', path: 'legacy/orders' }],
    },
  });

  return {
    app, data, analytics, jobs, ordersDb, customersDb, ledgerDb, ledgerTest, eventsDb, legacyDb,
    ordersEtl, customersEtl, ledgerReport, eventsSync, ordersToEvents, partnerSync, eventsCrawler, catalogCrawler, lakeCrawler,
  };
}

type Pipeline = ReturnType<typeof pipelineApp>;

/** Synthesizes the app with the aspect applied `times` times, and what the tests need of it. */
function synthPipeline(times = 1, props: GlueConnectionTestAspectProps = {}, context: Record<string, unknown> = {}) {
  const p = pipelineApp(context);
  for (let i = 0; i < times; i++) Aspects.of(p.app).add(new GlueConnectionTestAspect(props));
  const assembly = p.app.synth();
  const templates = {
    Data: Template.fromStack(p.data),
    Analytics: Template.fromStack(p.analytics),
    Jobs: Template.fromStack(p.jobs),
  };
  return { ...p, assembly, templates };
}

/** The constructs a resource was made to wait for, by path. */
function dependenciesOf(construct: IConstruct): string[] {
  const resource = construct instanceof CfnResource ? construct : construct.node.defaultChild as CfnResource;
  return resource.node.dependencies.map((d) => d.node.path).sort();
}

/** Every Custom::GlueConnectionTest of the app by construct path, with its ConnectionName. */
function testsOf(p: Pipeline): string[] {
  return p.app.node.findAll().filter((c) => c instanceof GlueConnectionTest).map((c) => c.node.path).sort();
}

/** The library's warnings in a stack: path and message. */
function warnings(stack: Stack): string[] {
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('\\[ack: cdk-glue-connection-test:'))
    .map((w) => `${w.id}: ${String(w.entry.data)}`).sort();
}

function lambdaCount(template: Template): number {
  return Object.keys(template.findResources('AWS::Lambda::Function')).length;
}

describe('an app of three stacks, five connections, six jobs and three crawlers', () => {
  const p = synthPipeline();

  test('adds exactly one test to each connection that has none and is not left out', () => {
    expect(testsOf(p)).toEqual([
      'Analytics/EventsDb/ConnectionTest',
      'Data/CustomersDb/ConnectionTest',
      'Data/LedgerDbTest', // hand-written: nothing added beside it
      'Data/OrdersDb/ConnectionTest',
    ]);
    expect(p.legacyDb.node.tryFindChild('ConnectionTest')).toBeUndefined();
    expect(Object.keys(p.templates.Data.findResources(TEST_TYPE))).toHaveLength(3);
    expect(Object.keys(p.templates.Analytics.findResources(TEST_TYPE))).toHaveLength(1);
    expect(Object.keys(p.templates.Jobs.findResources(TEST_TYPE))).toHaveLength(0);
  });

  test('each added test is the one the construct makes for `connection`: name, catalog, waiting for READY', () => {
    p.templates.Data.hasResourceProperties(TEST_TYPE, {
      ConnectionName: { Ref: p.data.getLogicalId(p.ordersDb) },
      CatalogId: '111122223333',
      WaitForReady: 'true',
      FailureMode: 'FAIL_DEPLOYMENT',
      ConnectionFingerprint: Match.stringLikeRegexp('^[0-9a-f]{32}$'),
    });
    p.templates.Data.hasResourceProperties(TEST_TYPE, {
      ConnectionName: { Ref: p.data.getLogicalId(p.customersDb.node.defaultChild as CfnResource) },
    });
    p.templates.Analytics.hasResourceProperties(TEST_TYPE, { ConnectionName: { Ref: p.analytics.getLogicalId(p.eventsDb) } });
  });

  test('makes every job and crawler wait for the tests of the connections it names', () => {
    expect(dependenciesOf(p.ordersEtl)).toEqual(['Data/OrdersDb/ConnectionTest']);
    expect(dependenciesOf(p.customersEtl)).toEqual(['Data/CustomersDb/ConnectionTest']);
    expect(dependenciesOf(p.ledgerReport)).toEqual(['Data/LedgerDbTest']);
    expect(dependenciesOf(p.eventsSync)).toEqual(['Analytics/EventsDb/ConnectionTest']);
    expect(dependenciesOf(p.ordersToEvents)).toEqual(['Analytics/EventsDb/ConnectionTest', 'Data/OrdersDb/ConnectionTest']);
    expect(dependenciesOf(p.partnerSync)).toEqual([]);
    expect(dependenciesOf(p.eventsCrawler)).toEqual(['Analytics/EventsDb/ConnectionTest']);
    expect(dependenciesOf(p.catalogCrawler)).toEqual(['Data/OrdersDb/ConnectionTest']);
    expect(dependenciesOf(p.lakeCrawler)).toEqual(['Data/CustomersDb/ConnectionTest']);
  });

  test('in a stack, the wait is a DependsOn on the test resource', () => {
    const testId = (t: Template, ref: string) => Object.entries(t.findResources(TEST_TYPE))
      .find(([, r]) => JSON.stringify(r.Properties.ConnectionName) === JSON.stringify({ Ref: ref }))![0];
    const ordersTest = testId(p.templates.Data, p.data.getLogicalId(p.ordersDb));
    const customersTest = testId(p.templates.Data, p.data.getLogicalId(p.customersDb.node.defaultChild as CfnResource));
    const eventsTest = testId(p.templates.Analytics, p.analytics.getLogicalId(p.eventsDb));
    const dependsOn = (t: Template, s: Stack, c: IConstruct) =>
      t.toJSON().Resources[s.getLogicalId((c instanceof CfnResource ? c : c.node.defaultChild) as CfnResource)].DependsOn;
    expect(dependsOn(p.templates.Data, p.data, p.ordersEtl)).toEqual([ordersTest]);
    expect(dependsOn(p.templates.Data, p.data, p.customersEtl)).toEqual([customersTest]);
    expect(dependsOn(p.templates.Data, p.data, p.lakeCrawler)).toEqual([customersTest]);
    expect(dependsOn(p.templates.Analytics, p.analytics, p.eventsCrawler)).toEqual([eventsTest]);
  });

  test('a resource that waits for a test in another stack makes its stack depend on that stack', () => {
    const deps = (name: string) => p.assembly.getStackByName(name).dependencies.map((d) => d.id).filter((id) => !id.endsWith('.assets')).sort();
    expect(deps('Jobs')).toEqual(['Analytics', 'Data']);
    expect(deps('Data')).toEqual([]);
    expect(deps('Analytics')).toEqual([]);
  });

  test('warns, naming the resource and the place, of every connection use it cannot gate', () => {
    expect(warnings(p.jobs)).toEqual([
      expect.stringMatching(/^\/Jobs\/CatalogCrawler: .*Glue crawler Jobs\/CatalogCrawler uses connection "partner-db" \(Targets\.IcebergTargets\[0\]\.ConnectionName\), which is not defined in this app/),
      expect.stringMatching(/^\/Jobs\/PartnerSync: .*Glue job Jobs\/PartnerSync uses a connection that GlueConnectionTestAspect cannot resolve \(Connections\.Connections\[0\]: \{"Fn::ImportValue":"partner-db-name"\}\)/),
    ]);
    expect(warnings(p.data)).toEqual([]);
    expect(warnings(p.analytics)).toEqual([]);
  });

  test('keeps one handler and one framework function per stack that has tests, none elsewhere', () => {
    expect(lambdaCount(p.templates.Data)).toBe(2);
    expect(lambdaCount(p.templates.Analytics)).toBe(2);
    expect(lambdaCount(p.templates.Jobs)).toBe(0);
  });

  test('adding the aspect twice gives the same templates, dependencies and warnings', () => {
    const twice = synthPipeline(2);
    for (const name of ['Data', 'Analytics', 'Jobs'] as const) {
      expect(twice.templates[name].toJSON()).toEqual(p.templates[name].toJSON());
    }
    expect(testsOf(twice)).toEqual(testsOf(p));
    expect(dependenciesOf(twice.ordersToEvents)).toEqual(dependenciesOf(p.ordersToEvents));
    for (const stack of ['data', 'analytics', 'jobs'] as const) expect(warnings(twice[stack])).toEqual(warnings(p[stack]));
  });

  test('gives the same result with the legacy (unstabilized) aspect invocation, without its nested-aspect warning', () => {
    const legacy = synthPipeline(1, {}, { '@aws-cdk/core:aspectStabilization': false });
    for (const name of ['Data', 'Analytics', 'Jobs'] as const) {
      expect(legacy.templates[name].toJSON()).toEqual(p.templates[name].toJSON());
    }
    for (const stack of ['data', 'analytics', 'jobs'] as const) {
      expect(warnings(legacy[stack])).toEqual(warnings(p[stack]));
      expect(Annotations.fromStack(legacy[stack]).findWarning('*', Match.stringLikeRegexp('Aspect was added via another Aspect'))).toEqual([]);
    }
  });
});

describe('settings and filters', () => {
  function oneStack(props: GlueConnectionTestAspectProps, build?: (stack: Stack) => void) {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    jdbc(stack, 'Orders', 'orders');
    jdbc(stack, 'Stream', 'stream', 'KAFKA');
    new glue.Connection(stack, 'Sales', {
      type: new glue.ConnectionType('SALESFORCE'),
      connectionName: 'sales',
      properties: { INSTANCE_URL: 'https://example.my.salesforce.com' },
    });
    build?.(stack);
    Aspects.of(app).add(new GlueConnectionTestAspect(props));
    app.synth();
    return { stack, template: Template.fromStack(stack), tests: app.node.findAll().filter((c) => c instanceof GlueConnectionTest).map((c) => c.node.path).sort() };
  }

  test('applies the given test settings to every test it adds', () => {
    const { template } = oneStack({ failureMode: FailureMode.REPORT_ONLY, waitForReady: false, retestOnEveryDeploy: true });
    const props = Object.values(template.findResources(TEST_TYPE)).map((r) => r.Properties);
    expect(props).toHaveLength(2);
    for (const p of props) {
      expect(p).toMatchObject({ FailureMode: 'REPORT_ONLY', WaitForReady: 'false' });
      expect(p.RetestNonce).toEqual(expect.any(String));
    }
  });

  test('tests JDBC and SALESFORCE connections by default, and warns of a type TestConnection does not take', () => {
    const { stack, tests } = oneStack({});
    expect(tests).toEqual(['S/Orders/ConnectionTest', 'S/Sales/ConnectionTest']);
    expect(warnings(stack)).toEqual([
      expect.stringMatching(/^\/S\/Stream: connection S\/Stream is of type KAFKA, and Glue's TestConnection is documented for JDBC and SALESFORCE only/),
    ]);
  });

  test('connectionTypes chooses the types to test, silently', () => {
    const { stack, tests } = oneStack({ connectionTypes: ['JDBC', 'KAFKA'] });
    expect(tests).toEqual(['S/Orders/ConnectionTest', 'S/Stream/ConnectionTest']);
    expect(warnings(stack)).toEqual([]);
  });

  test('a filter leaves out the connections it rejects, and the resources that use them are not gated', () => {
    let job: glue.CfnJob | undefined;
    const { tests, stack } = oneStack({ filter: { shouldTest: (c) => c.node.path !== 'S/Orders' } }, (s) => {
      job = cfnJob(s, 'Job', ['orders', 'sales']);
    });
    expect(tests).toEqual(['S/Sales/ConnectionTest']);
    expect(dependenciesOf(job!)).toEqual(['S/Sales/ConnectionTest']);
    expect(warnings(stack).filter((w) => w.includes('Job'))).toEqual([]);
  });

  test('exclude() takes the L2 or its CfnConnection', () => {
    const { tests } = oneStack({}, (s) => GlueConnectionTestAspect.exclude(s.node.findChild('Sales')));
    expect(tests).toEqual(['S/Orders/ConnectionTest']);
  });

  test('exclude() refuses what is not a connection', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const job = cfnJob(stack, 'Job', ['orders']);
    expect(() => GlueConnectionTestAspect.exclude(job)).toThrow(/exclude: connection must be a glue.CfnConnection, or a construct whose default child is one such as glue.Connection \(got S\/Job\)/);
  });

  test('refuses catalogId and an empty connectionTypes, naming the prop', () => {
    expect(() => new GlueConnectionTestAspect({ catalogId: '111122223333' })).toThrow(/catalogId: each test takes the catalog of the connection it tests/);
    expect(() => new GlueConnectionTestAspect({ connectionTypes: [] })).toThrow(/connectionTypes: give at least one connection type/);
  });
});

describe('its options, as JavaScript callers pass them', () => {
  /** What `new GlueConnectionTestAspect(props)` throws, for props of any type. */
  function errorOf(props: unknown): string {
    try {
      new GlueConnectionTestAspect(props as GlueConnectionTestAspectProps);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected the aspect to throw');
  }

  test('a filter given as a function is refused when the aspect is made, naming filter and the method it needs', () => {
    const message = errorOf({ filter: () => true });

    expect(message).toMatch(/^GlueConnectionTestAspect: filter: /);
    expect(message).toContain('shouldTest');
    expect(message).toContain('(got a function)');
  });

  test('a filter object with shouldTest is taken, a class instance or a literal', () => {
    expect(() => new GlueConnectionTestAspect({ filter: { shouldTest: () => true } })).not.toThrow();
  });

  test('connectionTypes given as a string is refused, not read letter by letter', () => {
    const message = errorOf({ connectionTypes: 'JDBC' });

    expect(message).toMatch(/^GlueConnectionTestAspect: connectionTypes: /);
    expect(message).toContain('"JDBC"');
  });

  test('a connectionTypes entry that is not a name is refused with its index', () => {
    expect(errorOf({ connectionTypes: ['JDBC', 5] })).toMatch(/^GlueConnectionTestAspect: connectionTypes\[1\]: .*\(got the number 5\)$/);
  });

  test('the test options are checked when the aspect is made, before any connection exists, and the error names the aspect', () => {
    const message = errorOf({ timeout: 300, failureMode: 'WARN', acknowledgedNetworkChecks: ['S3'] });

    expect(message).toMatch(/^GlueConnectionTestAspect: \n/);
    expect(message).toContain('  - timeout: ');
    expect(message).toContain('  - failureMode: ');
    expect(message).toContain('  - acknowledgedNetworkChecks[0]: ');
    expect(message).not.toMatch(/GlueConnectionTest |\/ConnectionTest/);
  });

  test('a connection of its own is refused: each test takes the connection it tests', () => {
    expect(errorOf({ connectionName: 'orders' })).toMatch(/^GlueConnectionTestAspect: connectionName: /);
  });

  test('props that are not an object are refused, naming props', () => {
    expect(errorOf(null)).toMatch(/^GlueConnectionTestAspect: props: .*\(got null\)$/);
    expect(errorOf(['JDBC'])).toMatch(/^GlueConnectionTestAspect: props: .*\(got an array\)$/);
  });

  test('exclude() of something that is not a construct names what it got', () => {
    expect(() => GlueConnectionTestAspect.exclude({ name: 'orders' } as unknown as IConstruct))
      .toThrow(/^GlueConnectionTestAspect\.exclude: connection must be .*\(got an object\)$/);
  });
});

describe('how it reads a resource', () => {
  function gate(build: (stack: Stack) => IConstruct, scope?: (app: App, stack: Stack) => IConstruct) {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    jdbc(stack, 'Orders', 'orders');
    const user = build(stack);
    Aspects.of(scope ? scope(app, stack) : app).add(new GlueConnectionTestAspect());
    app.synth();
    return { deps: dependenciesOf(user), warnings: warnings(stack) };
  }

  test('an escape-hatch override replaces the typed connections', () => {
    const { deps } = gate((s) => {
      const job = cfnJob(s, 'Job', ['elsewhere']);
      job.addPropertyOverride('Connections.Connections', ['orders']);
      return job;
    });
    expect(deps).toEqual(['S/Orders/ConnectionTest']);
  });

  test('an override that deletes the connections leaves nothing to gate', () => {
    const { deps, warnings: w } = gate((s) => {
      const job = cfnJob(s, 'Job', ['elsewhere']);
      job.addPropertyDeletionOverride('Connections');
      return job;
    });
    expect(deps).toEqual([]);
    expect(w).toEqual([]);
  });

  test('a name built from a Ref and a literal is not taken for the connection: it warns', () => {
    const { deps, warnings: w } = gate((s) => cfnJob(s, 'Job', [`${(s.node.findChild('Orders') as glue.CfnConnection).ref}-replica`]));
    expect(deps).toEqual([]);
    expect(w).toEqual([expect.stringMatching(/cannot resolve \(Connections\.Connections\[0\]: a name built from tokens\)/)]);
  });

  test('an L2 job is named and warned of as the construct its author made', () => {
    const { warnings: w } = gate((s) => new glue.PythonShellJob(s, 'Sync', {
      role: iam.Role.fromRoleArn(s, 'Role', 'arn:aws:iam::111122223333:role/etl'),
      script: glue.Code.fromBucket(s3.Bucket.fromBucketName(s, 'Scripts', 'scripts'), 'sync.py'),
      connections: [glue.Connection.fromConnectionName(s, 'Imported', Fn.importValue('name'))],
    }));
    expect(w).toEqual([expect.stringMatching(/^\/S\/Sync: Glue job S\/Sync uses a connection that GlueConnectionTestAspect cannot resolve \(Connections\.Connections\[0\]: \{"Fn::ImportValue":"name"\}\)/)]);
  });

  test('a whole connections list from a token warns', () => {
    const { warnings: w } = gate((s) => new glue.CfnJob(s, 'Job', {
      role: 'r', command: { name: 'glueetl' }, connections: { connections: Fn.split(',', Fn.importValue('names')) },
    }));
    expect(w).toEqual([expect.stringMatching(/Glue job S\/Job uses a connection that GlueConnectionTestAspect cannot resolve \(Connections\.Connections: \{"Fn::Split"/)]);
  });

  test('reads sessions, federated databases and catalogs, ML transforms, views, table optimizers and integration targets', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    jdbc(stack, 'Orders', 'orders');
    const users = [
      new glue.CfnSession(stack, 'Session', { id: 'session', role: ROLE_ARN, command: { name: 'glueetl' }, connections: { connections: ['orders'] } }),
      new glue.CfnDatabase(stack, 'Federated', { catalogId: ENV.account, databaseInput: { federatedDatabase: { connectionName: 'orders', identifier: 'x' } } }),
      new glue.CfnCatalog(stack, 'FederatedCatalog', { name: 'c', federatedCatalog: { connectionName: 'orders', identifier: 'x' } }),
      new glue.CfnMLTransform(stack, 'Ml', {
        role: ROLE_ARN, transformParameters: { transformType: 'FIND_MATCHES' },
        inputRecordTables: { glueTables: [{ databaseName: 'd', tableName: 't', connectionName: 'orders' }] },
      }),
      new glue.CfnTable(stack, 'View', {
        catalogId: ENV.account, databaseName: 'd',
        tableInput: { viewDefinition: { representations: [{ dialect: 'REDSHIFT', validationConnection: 'orders' }] } } as never,
      }),
      new glue.CfnTableOptimizer(stack, 'Optimizer', {
        catalogId: ENV.account, databaseName: 'd', tableName: 't', type: 'compaction',
        tableOptimizerConfiguration: { enabled: true, roleArn: ROLE_ARN, vpcConfiguration: { glueConnectionName: 'orders' } } as never,
      }),
      new glue.CfnIntegrationResourceProperty(stack, 'Target', {
        resourceArn: 'arn:aws:glue:eu-west-1:111122223333:database/d',
        targetProcessingProperties: { connectionName: 'orders', roleArn: ROLE_ARN },
      }),
    ];
    Aspects.of(app).add(new GlueConnectionTestAspect());
    app.synth();
    for (const user of users) expect([user.node.path, dependenciesOf(user)]).toEqual([user.node.path, ['S/Orders/ConnectionTest']]);
  });

  test('applied to one stack, it tests that stack\'s connections and warns of a user in scope whose connection is outside', () => {
    const app = new App();
    const a = new Stack(app, 'A', { env: ENV });
    const b = new Stack(app, 'B', { env: ENV });
    const orders = jdbc(a, 'Orders', 'orders');
    const job = cfnJob(b, 'Job', [orders.ref]);
    Aspects.of(b).add(new GlueConnectionTestAspect());
    app.synth();
    expect(orders.node.tryFindChild('ConnectionTest')).toBeUndefined();
    expect(dependenciesOf(job)).toEqual([]);
    expect(warnings(b)).toEqual([expect.stringMatching(/uses connection A\/Orders \(Connections\.Connections\[0\]\), which is outside the scope of GlueConnectionTestAspect/)]);
  });

  test('a test by name of a connection outside the app gates the users of that name', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const byHand = new GlueConnectionTest(stack, 'PartnerTest', { connectionName: 'partner-db' });
    const job = cfnJob(stack, 'Job', ['partner-db']);
    Aspects.of(app).add(new GlueConnectionTestAspect());
    app.synth();
    expect(dependenciesOf(job)).toEqual([byHand.node.path]);
    expect(warnings(stack)).toEqual([]);
  });
});

describe('with other aspects', () => {
  test('the functions and roles it adds are seen by the app\'s other aspects (Tags), in both invocation modes', () => {
    for (const stabilized of [true, false]) {
      const app = new App({ context: { '@aws-cdk/core:aspectStabilization': stabilized } });
      const stack = new Stack(app, 'S', { env: ENV });
      jdbc(stack, 'Orders', 'orders');
      Tags.of(app).add('team', 'data');
      Aspects.of(app).add(new GlueConnectionTestAspect());
      const template = Template.fromStack(stack);
      const functions = Object.values(template.findResources('AWS::Lambda::Function'));
      expect(functions).toHaveLength(2);
      for (const f of functions) expect(f.Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'team', Value: 'data' }]));
    }
  });

  test('a read-only aspect of later priority sees the tests; a mutating one of earlier priority adds a job that is gated', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    jdbc(stack, 'Orders', 'orders');
    const seen: string[] = [];
    const audit: IAspect = { visit: (n) => { if (n instanceof GlueConnectionTest) seen.push(n.node.path); } };
    let added: glue.CfnJob | undefined;
    const addJob: IAspect = { visit: (n) => { if (n === stack && !added) added = cfnJob(stack, 'LateJob', ['orders']); } };
    Aspects.of(app).add(audit, { priority: AspectPriority.READONLY });
    Aspects.of(app).add(new GlueConnectionTestAspect(), { priority: AspectPriority.MUTATING });
    Aspects.of(stack).add(addJob, { priority: AspectPriority.MUTATING });
    app.synth();
    expect(seen).toEqual(['S/Orders/ConnectionTest']);
    expect(dependenciesOf(added!)).toEqual(['S/Orders/ConnectionTest']);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('Aspect was added via another Aspect'))).toEqual([]);
  });
});

describe('Stages', () => {
  function stagedApp() {
    const app = new App();
    const stage = new Stage(app, 'Prod');
    const stack = new Stack(stage, 'S', { env: ENV });
    const orders = jdbc(stack, 'Orders', 'orders');
    const job = cfnJob(stack, 'Job', ['orders']);
    return { app, stage, stack, orders, job };
  }

  test('applied in a Stage, it gates the Stage\'s resources by name', () => {
    const { app, stage, stack, job } = stagedApp();
    Aspects.of(stage).add(new GlueConnectionTestAspect());
    app.synth();
    expect(dependenciesOf(job)).toEqual(['Prod/S/Orders/ConnectionTest']);
    expect(Object.keys(Template.fromStack(stack).findResources(TEST_TYPE))).toHaveLength(1);
  });

  test('applied to the app, it leaves a nested Stage alone, as CDK does with every aspect of the app', () => {
    const { app, orders, job } = stagedApp();
    Aspects.of(app).add(new GlueConnectionTestAspect());
    app.synth();
    expect(orders.node.tryFindChild('ConnectionTest')).toBeUndefined();
    expect(dependenciesOf(job)).toEqual([]);
  });
});

describe('the network path', () => {
  /** A connection in a subnet of an isolated VPC, with or without the S3 gateway endpoint Glue needs. */
  function pathApp(withS3: boolean, props: GlueConnectionTestAspectProps = {}) {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 1, natGateways: 0,
      subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      gatewayEndpoints: withS3 ? { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } } : {},
    });
    const group = new ec2.SecurityGroup(stack, 'Group', { vpc });
    group.addIngressRule(group, ec2.Port.allTcp(), 'Glue workers talk to each other');
    const subnet = vpc.isolatedSubnets[0];
    new glue.CfnConnection(stack, 'Orders', {
      catalogId: stack.account,
      connectionInput: {
        name: 'orders', connectionType: 'JDBC',
        connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://orders.internal:5432/app', SECRET_ID: 'orders-login' },
        physicalConnectionRequirements: { subnetId: subnet.subnetId, availabilityZone: subnet.availabilityZone, securityGroupIdList: [group.securityGroupId] },
      },
    });
    Aspects.of(app).add(new GlueConnectionTestAspect(props));
    return { app, stack };
  }

  test('a test the aspect adds waits for the connection\'s in-app network path, as the construct\'s does', () => {
    const { stack } = pathApp(true);
    const template = Template.fromStack(stack);
    const [test] = Object.values(template.findResources(TEST_TYPE));
    const endpoint = Object.keys(template.findResources('AWS::EC2::VPCEndpoint'));
    expect(endpoint).toHaveLength(1);
    expect(test.DependsOn).toEqual(expect.arrayContaining(endpoint));
  });

  test('its synth-time path analysis refuses a broken path, and the aspect passes acknowledgedNetworkChecks on', () => {
    expect(() => pathApp(false).app.synth()).toThrow(/S\/Orders\/ConnectionTest.*S3/s);
    expect(() => pathApp(false, { acknowledgedNetworkChecks: [NetworkCheck.S3_ROUTE] }).app.synth()).not.toThrow();
  });
});

describe('review finding 2: an environment-agnostic stack and a literal CatalogId', () => {
  test('a job naming a connection whose CatalogId is the literal account is gated on its test', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    new glue.CfnConnection(stack, 'Conn', { catalogId: '123456789012', connectionInput: { name: 'orders-db', connectionType: 'JDBC', connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db.example.com:5432/orders' } } });
    new glue.CfnJob(stack, 'Job', { role: 'arn:aws:iam::123456789012:role/glue', command: { name: 'glueetl', scriptLocation: 's3://b/k.py' }, connections: { connections: ['orders-db'] } });
    Aspects.of(app).add(new GlueConnectionTestAspect());
    const template = Template.fromStack(stack);
    const job = Object.values(template.findResources('AWS::Glue::Job'))[0];
    const testIds = Object.keys(template.findResources('Custom::GlueConnectionTest'));
    expect(testIds).toHaveLength(1);
    expect(job.DependsOn).toEqual(expect.arrayContaining([testIds[0]]));
  });
});
