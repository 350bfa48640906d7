/**
 * Integration test for maintainers with an AWS account (integ-runner); never run in CI.
 *
 * Deploys a JDBC connection that cannot work (its host does not exist) with a REPORT_ONLY test,
 * and asserts that the deployment went on and the test reported the failure with a reason.
 * A FAIL_DEPLOYMENT test of the same connection would roll the stack back, which integ-runner
 * reports as a failed deployment, so the blocking case is covered by the local simulation.
 *
 *   npx integ-runner --directory test/integ --update-on-failed
 */
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { FailureMode, GlueConnectionTest } from '../../lib';

const app = new App();
const stack = new Stack(app, 'GlueConnectionTestInteg');

const vpc = new ec2.Vpc(stack, 'Vpc', {
  maxAzs: 1,
  natGateways: 0,
  subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
});
const group = new ec2.SecurityGroup(stack, 'Group', { vpc });
group.addIngressRule(group, ec2.Port.allTcp(), 'Glue needs all TCP ports open to the group itself');
const secret = new secretsmanager.Secret(stack, 'Credentials', {
  generateSecretString: { secretStringTemplate: JSON.stringify({ username: 'nobody' }), generateStringKey: 'password' },
});
const subnet = vpc.isolatedSubnets[0];
const connection = new glue.CfnConnection(stack, 'Unreachable', {
  catalogId: stack.account,
  connectionInput: {
    name: 'integ-unreachable-db',
    connectionType: 'JDBC',
    connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://does-not-exist.invalid:5432/db', SECRET_ID: secret.secretName },
    physicalConnectionRequirements: { subnetId: subnet.subnetId, availabilityZone: subnet.availabilityZone, securityGroupIdList: [group.securityGroupId] },
  },
});
const test = new GlueConnectionTest(stack, 'ReportOnly', { connection, failureMode: FailureMode.REPORT_ONLY });
new CfnOutput(stack, 'Result', { value: test.result });

const integ = new IntegTest(app, 'GlueConnectionTestIntegTest', { testCases: [stack] });
integ.assertions.awsApiCall('CloudFormation', 'describeStacks', { StackName: stack.stackName })
  .expect(ExpectedResult.objectLike({ Stacks: [{ Outputs: [{ OutputKey: 'Result', OutputValue: 'FAILED' }] }] }));
