/**
 * The monitor at synth: one rule per schedule and stack targeting the stack's one handler, the
 * tests' settings as the rule's constant input (references, never secret values), no new
 * function or grant, the metrics, the refusal of a schedule a run cannot keep, and removal.
 */
import { App, Duration, SecretValue, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Aspects } from 'aws-cdk-lib';
import { GlueConnectionTest, GlueConnectionTestAspect, TestConnectionType } from '../../lib';
import { MONITOR_EVENT_KEY, MONITOR_PACE } from '../../lib/contract/monitor';
import { shortestIntervalSeconds } from '../../lib/construct/monitor';
import { newStack } from '../helpers';

const HOURLY = events.Schedule.rate(Duration.hours(1));
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-db-AbCdEf';

/** The rule resources of a template, by logical id. */
function rules(template: Template): Record<string, { Properties: Record<string, unknown> }> {
  return template.findResources('AWS::Events::Rule') as Record<string, { Properties: Record<string, unknown> }>;
}

/** The one rule's target input, resolved as CloudFormation would with the given references. */
function runOf(stack: Stack, refs: Record<string, string> = {}): { Version: string; Schedule: string; StackId: string; Tests: Record<string, unknown>[] } {
  const template = Template.fromStack(stack);
  const [rule] = Object.values(rules(template));
  const [target] = rule.Properties.Targets as { Input: unknown }[];
  const resolve = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const v = value as Record<string, unknown>;
    if (v['Fn::Join']) {
      const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(sep);
    }
    if (v.Ref) return refs[v.Ref as string] ?? `<${String(v.Ref)}>`;
    throw new Error(`unexpected intrinsic ${JSON.stringify(value)}`);
  };
  return JSON.parse(resolve(target.Input))[MONITOR_EVENT_KEY];
}

function monitoredByName(stack: Stack, id: string, connectionName: string, schedule = HOURLY, timeout?: Duration): GlueConnectionTest {
  return new GlueConnectionTest(stack, id, { connectionName, monitor: { schedule }, timeout });
}

describe('the rule', () => {
  test('one rule per schedule and stack, targeting the one handler with the tests as its constant input', () => {
    const stack = newStack();
    monitoredByName(stack, 'A', 'orders-db');
    monitoredByName(stack, 'B', 'customers-db');
    monitoredByName(stack, 'C', 'ledger-db', events.Schedule.cron({ minute: '0', hour: '6' }));
    new GlueConnectionTest(stack, 'Unmonitored', { connectionName: 'other-db' });
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.resourceCountIs('AWS::Events::Rule', 2);
    template.resourceCountIs('AWS::Lambda::Permission', 2);
    const handlerId = Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => id.startsWith('GlueConnectionTestProviderHandler'))!;
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [handlerId, 'Arn'] }, RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 2 } })],
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 6 * * ? *)' });
    // Lambda lets the rule, and only the rule, invoke the handler.
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [handlerId, 'Arn'] },
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GlueConnectionTestProviderMonitorRate1Hour'), 'Arn'] },
    });
  });

  test('the input carries the settings the deploy-time test has, by reference', () => {
    const stack = newStack();
    const connection = new glue.CfnConnection(stack, 'Orders', {
      catalogId: stack.account,
      connectionInput: { name: 'orders-db', connectionType: 'JDBC', connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db:5432/orders' } },
    });
    new GlueConnectionTest(stack, 'ByConnection', { connection, monitor: { schedule: HOURLY }, timeout: Duration.minutes(2) });
    new GlueConnectionTest(stack, 'ByInput', {
      monitor: { schedule: HOURLY },
      testConnectionInput: {
        connectionType: TestConnectionType.JDBC,
        connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db:5432/orders', USERNAME: 'app' },
        secretConnectionProperties: { PASSWORD: SecretValue.secretsManager(SECRET_ARN, { jsonField: 'password' }) },
      },
    });

    const connectionId = stack.getLogicalId(connection);
    const run = runOf(stack, { [connectionId]: 'orders-db', 'AWS::StackId': 'arn:stack' });
    expect(run).toEqual({
      Version: '1',
      Schedule: 'rate(1 hour)',
      StackId: 'arn:stack',
      Tests: [
        // The dimension is the connection's name: not repeated.
        { ConnectionName: 'orders-db', CatalogId: '111122223333', TimeoutSeconds: '120', WaitForReady: 'true' },
        {
          MetricConnectionName: 'TestStack/ByInput',
          TestConnectionInput: { ConnectionType: 'JDBC', ConnectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db:5432/orders', USERNAME: 'app' } },
          SecretReferences: [{ Target: '/ConnectionProperties/PASSWORD', SecretId: SECRET_ARN, JsonField: 'password' }],
          TimeoutSeconds: '300',
          WaitForReady: 'false',
        },
      ],
    });
    // A secret is a reference the run resolves, never a value in the template.
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('resolve:secretsmanager');
  });

  test('no grant is added: the handler role already has what the deploy-time test needs', () => {
    const policiesOf = (monitor: boolean) => {
      const stack = newStack();
      new GlueConnectionTest(stack, 'A', { connectionName: 'orders-db', monitor: monitor ? { schedule: HOURLY } : undefined });
      const template = Template.fromStack(stack);
      return [template.findResources('AWS::IAM::Policy'), template.findResources('AWS::IAM::ManagedPolicy')];
    };
    expect(policiesOf(true)).toEqual(policiesOf(false));
  });

  test('removing monitor removes the rule and its permission; the test itself is unchanged', () => {
    const build = (monitor: boolean) => {
      const stack = newStack();
      new GlueConnectionTest(stack, 'A', { connectionName: 'orders-db', monitor: monitor ? { schedule: HOURLY } : undefined });
      return Template.fromStack(stack);
    };
    const withMonitor = build(true);
    const without = build(false);
    without.resourceCountIs('AWS::Events::Rule', 0);
    without.resourceCountIs('AWS::Lambda::Permission', 0);
    expect(without.findResources('Custom::GlueConnectionTest')).toEqual(withMonitor.findResources('Custom::GlueConnectionTest'));
  });

  test('configureStack after the tests: the rule targets the rebuilt handler', () => {
    const stack = newStack();
    monitoredByName(stack, 'A', 'orders-db');
    GlueConnectionTest.configureStack(stack, { tracing: (require('aws-cdk-lib/aws-lambda') as typeof import('aws-cdk-lib/aws-lambda')).Tracing.ACTIVE });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    const handlerId = Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { TracingConfig: { Mode: 'Active' } } }))[0];
    template.hasResourceProperties('AWS::Events::Rule', { Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [handlerId, 'Arn'] } })] });
  });

  test('reserved concurrency: a warning to reserve one more execution per schedule', () => {
    const stack = newStack();
    GlueConnectionTest.configureStack(stack, { reservedConcurrentExecutions: 5 });
    monitoredByName(stack, 'A', 'orders-db');
    const warnings = (require('aws-cdk-lib/assertions') as typeof import('aws-cdk-lib/assertions')).Annotations.fromStack(stack)
      .findWarning('*', Match.stringLikeRegexp('monitorConcurrency'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].id).toMatch(/GlueConnectionTestProvider\/MonitorRate1Hour/);
  });

  test('GlueConnectionTestAspect takes monitor for the tests it adds', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: { account: '111122223333', region: 'eu-west-1' } });
    new glue.CfnConnection(stack, 'Orders', {
      catalogId: stack.account,
      connectionInput: { name: 'orders-db', connectionType: 'JDBC', connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db:5432/orders' } },
    });
    Aspects.of(app).add(new GlueConnectionTestAspect({ monitor: { schedule: HOURLY } }));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Events::Rule', 1);
    expect(JSON.stringify(rules(template))).toContain('\\"ConnectionName\\":\\"');
  });
});

describe('metrics', () => {
  test('metricFailed and metricDuration: namespace, dimension and statistics as documented', () => {
    const stack = newStack();
    const test = monitoredByName(stack, 'A', 'orders-db');
    const failed = test.metricFailed().toMetricConfig().metricStat!;
    expect(stack.resolve(failed)).toMatchObject({
      namespace: 'GlueConnectionTest', metricName: 'Failed', dimensions: [{ name: 'ConnectionName', value: 'orders-db' }], statistic: 'Sum',
    });
    // One period per run of a rate schedule.
    expect(failed.period.toSeconds()).toBe(3600);
    expect(stack.resolve(test.metricDuration().toMetricConfig().metricStat)).toMatchObject({
      namespace: 'GlueConnectionTest', metricName: 'Duration', dimensions: [{ name: 'ConnectionName', value: 'orders-db' }], statistic: 'Average',
    });
    // MetricOptions win over the defaults.
    expect(test.metricFailed({ statistic: 'Maximum', period: Duration.minutes(10) }).toMetricConfig().metricStat).toMatchObject({ statistic: 'Maximum' });
  });

  test('a cron schedule: five-minute periods; a connection of the app: its Ref as the dimension', () => {
    const stack = newStack();
    const connection = new glue.CfnConnection(stack, 'Orders', {
      catalogId: stack.account,
      connectionInput: { name: 'orders-db', connectionType: 'JDBC', connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db:5432/orders' } },
    });
    const test = new GlueConnectionTest(stack, 'A', { connection, monitor: { schedule: events.Schedule.cron({ minute: '0', hour: '6' }) } });
    const stat = test.metricFailed().toMetricConfig().metricStat!;
    expect(stat.period.toMinutes()).toBe(5);
    expect(stack.resolve(stat.dimensions)).toEqual([{ name: 'ConnectionName', value: { Ref: stack.getLogicalId(connection) } }]);
  });

  test('the one line to an alarm wired to an SNS topic', () => {
    const stack = newStack();
    const test = monitoredByName(stack, 'A', 'orders-db');
    const topic = new sns.Topic(stack, 'Alerts');
    test.metricFailed().createAlarm(stack, 'OrdersDbBroken', { threshold: 1, evaluationPeriods: 1 }).addAlarmAction(new actions.SnsAction(topic));
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'GlueConnectionTest', MetricName: 'Failed', Dimensions: [{ Name: 'ConnectionName', Value: 'orders-db' }],
      Statistic: 'Sum', Period: 3600, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alerts') }],
    });
  });

  test('a test without monitor has no metric to give: an error naming the test and the option', () => {
    const stack = newStack();
    const test = new GlueConnectionTest(stack, 'A', { connectionName: 'orders-db' });
    expect(() => test.metricFailed()).toThrow(/TestStack\/A: metricFailed\(\).*monitor/);
    expect(() => test.metricDuration()).toThrow(/metricDuration\(\)/);
    // cloudwatch is used by the README's sample; keep the import honest.
    expect(cloudwatch.Stats.SUM).toBe('Sum');
  });
});

describe('refused at synth', () => {
  test('a schedule more frequent than a run of its tests can take: the arithmetic in the message', () => {
    const stack = newStack();
    for (let i = 0; i < 3; i++) monitoredByName(stack, `T${i}`, `db-${i}`, events.Schedule.rate(Duration.minutes(5)));
    // 5 s status + 2 s of starts + 300 s timeout = 307 s > 300 s.
    expect(() => Template.fromStack(stack)).toThrow(/monitor\.schedule: 3 tests on rate\(5 minutes\) \(TestStack\/T0, TestStack\/T1, TestStack\/T2\): .*5 s to read the stack status \+ 2 s to start them at 1 a second \+ the longest timeout, 300 s = 307 s, longer than the 300 s between runs/);
  });

  test('the same tests with a shorter timeout fit', () => {
    const stack = newStack();
    for (let i = 0; i < 3; i++) monitoredByName(stack, `T${i}`, `db-${i}`, events.Schedule.rate(Duration.minutes(5)), Duration.minutes(4));
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('more tests than one run of the handler can start and finish: the Lambda timeout in the message', () => {
    const stack = newStack();
    // 5 + 50 + 600 = 655 s > 650 s (660 s Lambda timeout less 10 s).
    for (let i = 0; i < 51; i++) monitoredByName(stack, `T${i}`, `db-${i}`, events.Schedule.rate(Duration.days(1)), Duration.minutes(10));
    expect(() => Template.fromStack(stack)).toThrow(/51 tests on rate\(1 day\) \(TestStack\/T0, TestStack\/T1, TestStack\/T2 and 48 more\): a run may take .* = 655 s, longer than the 650 s one run has \(the handler's 660 s Lambda timeout/);
  });

  test('an input longer than EventBridge takes: the count in the message', () => {
    const stack = newStack();
    const name = 'x'.repeat(200);
    for (let i = 0; i < 40; i++) monitoredByName(stack, `T${i}`, `${name}-${i}`, events.Schedule.rate(Duration.days(1)), Duration.seconds(30));
    expect(() => Template.fromStack(stack)).toThrow(new RegExp(`the rule's input may be \\d+ characters long .* over EventBridge's limit of ${MONITOR_PACE.maxInputCharacters}`));
  });

  test('a bad monitor option: the prop path and what is allowed', () => {
    const stack = newStack();
    expect(() => new GlueConnectionTest(stack, 'A', { connectionName: 'x', monitor: { schedule: 'rate(1 hour)' as never } }))
      .toThrow(/monitor\.schedule: must be an events\.Schedule, such as events\.Schedule\.rate\(Duration\.hours\(1\)\) \(got the string "rate\(1 hour\)"\)/);
    expect(() => new GlueConnectionTest(stack, 'B', { connectionName: 'x', monitor: 'hourly' as never })).toThrow(/monitor: must be an object with a schedule/);
    expect(() => new GlueConnectionTest(stack, 'C', { connectionName: 'x', monitor: { schedule: events.Schedule.expression('at(2030-01-01T00:00:00)') } }))
      .toThrow(/monitor\.schedule: must be a rate\(\.\.\.\) or cron\(\.\.\.\) expression/);
  });
});

describe('shortest interval of a schedule', () => {
  test.each([
    ['rate(1 minute)', 60],
    ['rate(5 minutes)', 300],
    ['rate(2 hours)', 7200],
    ['rate(1 day)', 86400],
    ['cron(0/15 * * * ? *)', 900],
    ['cron(*/45 * * * ? *)', 900], // 0 and 45: the gap from 45 to the next hour's 0 is 15 minutes
    ['cron(0,10,40 * * * ? *)', 600],
    ['cron(5-7 * * * ? *)', 60],
    ['cron(0 6,18 * * ? *)', 43200],
    ['cron(30 */4 * * ? *)', 14400],
    ['cron(0 6 * * ? *)', 86400],
    ['cron(0 6 ? * MON-FRI *)', 86400],
  ])('%s: %i s', (expression, seconds) => {
    expect(shortestIntervalSeconds(expression)).toBe(seconds);
  });

  test('a field this reading does not know is refused, not guessed', () => {
    expect(shortestIntervalSeconds('cron(L * * * ? *)')).toMatch(/minutes and hours fields/);
  });
});
