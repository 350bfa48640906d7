/**
 * cdk-nag's rule packs on the library's own resources: AwsSolutions with no unacknowledged
 * finding for the kinds of test users write, and, with the stack-wide options set, no HIPAA
 * Security, NIST 800-53 R5 or Serverless finding the library could have avoided. Without the
 * options, exactly the findings the options answer remain: nothing settable is acknowledged away.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks, ServerlessChecks } from 'cdk-nag';
import { GlueConnectionTest, TestConnectionType } from '../../lib';

const ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-db-AbCdEf';
const PASSWORD = SecretValue.secretsManager(ARN, { jsonField: 'password' });
const PACKS: [string, new (scope: App) => NagPack][] = [
  ['AwsSolutions', AwsSolutionsChecks],
  ['HIPAA.Security', HIPAASecurityChecks],
  ['NIST.800.53.R5', NIST80053R5Checks],
  ['Serverless', ServerlessChecks],
];

interface Finding { rule: string; severity: string; path: string }

/** A stack with the kinds of test users write: by name, by TestConnectionInput, from request JSON. */
function testsIn(stack: Stack): void {
  // Monitored: its schedule's rule and the handler's permission for it are checked too.
  new GlueConnectionTest(stack, 'ByName', { connectionName: 'orders-db', monitor: { schedule: events.Schedule.rate(Duration.hours(1)) } });
  new GlueConnectionTest(stack, 'ByInput', {
    testConnectionInput: {
      connectionType: TestConnectionType.JDBC,
      connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db:5432/orders', USERNAME: 'app' },
      secretConnectionProperties: { PASSWORD },
    },
  });
  GlueConnectionTest.fromRequestJson(stack, 'FromJson', JSON.stringify({
    TestConnectionInput: {
      ConnectionType: 'JDBC',
      ConnectionProperties: {
        JDBC_CONNECTION_URL: 'jdbc:postgresql://db:5432/orders', USERNAME: 'app', PASSWORD: `{{resolve:secretsmanager:${ARN}:SecretString:password}}`,
      },
    },
  }));
}

/** Every stack-wide option the compliance packs ask for, in a stack whose own VPC passes them too. */
function configure(stack: Stack): void {
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2, natGateways: 0,
    subnetConfiguration: [{ name: 'app', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    flowLogs: { all: { trafficType: ec2.FlowLogTrafficType.REJECT } },
  });
  GlueConnectionTest.configureStack(stack, {
    vpc,
    logEncryptionKey: new kms.Key(stack, 'LogKey', { enableKeyRotation: true }),
    logRetention: logs.RetentionDays.ONE_YEAR,
    reservedConcurrentExecutions: 10,
    tracing: lambda.Tracing.ACTIVE,
  });
}

/** The findings of one pack, read from the validation report CDK writes. */
function findingsOf(Pack: new (scope: App) => NagPack, build: (stack: Stack) => void, envAgnostic = false): Finding[] {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'nag-')) });
  build(new Stack(app, 'Pipeline', envAgnostic ? {} : { env: { account: '111122223333', region: 'eu-west-1' } }));
  Validations.of(app).addPlugins(new Pack(app));
  try {
    app.synth();
  } catch (e) {
    // The report below says why; a synth without errors writes none.
    if (process.env.DEBUG_NAG) console.log((e as Error).message.slice(0, 3000));
  }
  const report = path.join(app.outdir, 'validation-report.json');
  if (!fs.existsSync(report)) return [];
  const json = JSON.parse(fs.readFileSync(report, 'utf8')) as {
    pluginReports: { violations: { ruleName: string; severity?: string; violatingConstructs?: { constructPath?: string }[] }[] }[];
  };
  return json.pluginReports.flatMap((p) => p.violations.flatMap((v) => (v.violatingConstructs ?? [])
    .map((r) => ({ rule: v.ruleName, severity: v.severity ?? '', path: r.constructPath ?? '' }))));
}

/** The library's own resources: the shared provider and the tests. */
const ownPath = (f: Finding) => /^Pipeline\/(GlueConnectionTestProvider|ByName|ByInput|FromJson)\//.test(f.path);
const show = (fs_: Finding[]) => fs_.map((f) => `${f.severity} ${f.rule} ${f.path}`).sort();

describe('cdk-nag packs on the library\'s resources', () => {
  test('AwsSolutions: no finding at all for tests by name, by TestConnectionInput and from request JSON', () => {
    // Before, the TestConnectionInput grant on connection/* was an unacknowledged AwsSolutions-IAM5.
    expect(show(findingsOf(AwsSolutionsChecks, testsIn))).toEqual([]);
  });

  test('AwsSolutions: no finding in an environment-agnostic stack either (the ARN holds AWS::Region and AWS::AccountId)', () => {
    expect(show(findingsOf(AwsSolutionsChecks, testsIn, true))).toEqual([]);
  });

  test.each(PACKS)('%s: with the stack-wide options set, no finding on the library\'s resources', (_name, Pack) => {
    const findings = findingsOf(Pack, (stack) => {
      configure(stack);
      testsIn(stack);
    });
    expect(show(findings.filter(ownPath))).toEqual([]);
  });

  test.each(PACKS.slice(1))('%s: without the options, exactly what the options answer remains', (name, Pack) => {
    const findings = findingsOf(Pack, testsIn).filter(ownPath);
    const expected = name === 'Serverless'
      ? ['warning Serverless-LambdaTracing Pipeline/GlueConnectionTestProvider/Handler/Resource']
      : [
        `error ${name}-CloudWatchLogGroupEncrypted Pipeline/GlueConnectionTestProvider/FrameworkLogs/Resource`,
        `error ${name}-CloudWatchLogGroupEncrypted Pipeline/GlueConnectionTestProvider/HandlerLogs/Resource`,
        `error ${name}-LambdaConcurrency Pipeline/GlueConnectionTestProvider/Handler/Resource`,
        `error ${name}-LambdaInsideVPC Pipeline/GlueConnectionTestProvider/Handler/Resource`,
        `error ${name}-LambdaInsideVPC Pipeline/GlueConnectionTestProvider/Provider/framework-onEvent/Resource`,
      ];
    expect(show(findings)).toEqual(expected.sort());
  });
});

describe('what the compliance options change in the template', () => {
  test('the framework role has no inline policy: its permissions are a managed policy of its own', () => {
    const stack = new Stack(new App(), 'Pipeline', { env: { account: '111122223333', region: 'eu-west-1' } });
    testsIn(stack);
    const template = Template.fromStack(stack);
    expect(Object.keys(template.findResources('AWS::IAM::Policy'))).toEqual([expect.stringMatching(/^GlueConnectionTestProviderHandlerRoleDefaultPolicy/)]);
    const [policy] = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual({
      Action: 'lambda:InvokeFunction',
      Effect: 'Allow',
      Resource: [
        { 'Fn::GetAtt': [expect.stringMatching(/^GlueConnectionTestProviderHandler/), 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^GlueConnectionTestProviderHandler/), 'Arn'] }, ':*']] },
      ],
    });
  });

  test('the framework policy grants what cr.Provider grants its framework role itself, on the handler', () => {
    // cr.Provider's own grants, on a role it may update.
    const plain = new Stack(new App(), 'Plain');
    const onEvent = new lambda.Function(plain, 'Handler', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
    const role = new iam.Role(plain, 'FrameworkRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    new cr.Provider(plain, 'Provider', { onEventHandler: onEvent, frameworkOnEventRole: role });
    const granted = (statements: { Action: string | string[]; Resource: unknown }[], handlerId: RegExp) => statements
      .filter((st) => JSON.stringify(st.Resource).match(handlerId))
      .flatMap((st) => [st.Action].flat().map((a) => `${a} ${JSON.stringify(st.Resource).replace(new RegExp(handlerId.source, 'g'), 'HANDLER')}`))
      .sort();
    const expected = granted(Object.values(Template.fromStack(plain).findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement), /Handler[0-9A-F]{8}/);

    const stack = new Stack(new App(), 'Pipeline', { env: { account: '111122223333', region: 'eu-west-1' } });
    testsIn(stack);
    const ours = granted(Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement), /GlueConnectionTestProviderHandler[0-9A-F]{8}/);
    expect(expected.length).toBeGreaterThan(1);
    expect(ours).toEqual(expected);
  });

  test('every acknowledgement the library writes carries a reason a reviewer can judge', () => {
    const stack = new Stack(new App(), 'Pipeline', { env: { account: '111122223333', region: 'eu-west-1' } });
    configure(stack);
    testsIn(stack);
    const rules = Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress: { id: string; reason: string }[] } } }>)
      .flatMap((r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? []);
    expect(rules.length).toBeGreaterThan(10);
    for (const rule of rules) expect(rule.reason.length).toBeGreaterThan(60);
  });

  test('the configured stack passes cfn-lint', () => {
    const stack = new Stack(new App(), 'Pipeline', { env: { account: '111122223333', region: 'eu-west-1' } });
    configure(stack);
    testsIn(stack);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lint-')), 'Pipeline.template.json');
    fs.writeFileSync(file, JSON.stringify(Template.fromStack(stack).toJSON()));
    let output = '';
    try {
      output = execFileSync('cfn-lint', ['--format', 'parseable', file], { encoding: 'utf8' });
    } catch (e) {
      // cfn-lint exits with a bit mask: 2 errors, 4 warnings, 8 informational.
      const { status, stdout } = e as { status: number; stdout: string };
      output = stdout;
      expect({ status: status & 2, output }).toEqual({ status: 0, output });
    }
    expect(output).not.toMatch(/:E\d{4}:/);
  });
});
