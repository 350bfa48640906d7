/** Shared helpers of the construct suites. */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/** A stack in an account and region, as most users deploy. */
export function newStack(id = 'TestStack'): Stack {
  return new Stack(new App(), id, { env: { account: '111122223333', region: 'eu-west-1' } });
}

/** The properties of the only (or the given) Custom::GlueConnectionTest of a template. */
export function testProperties(template: Template, index = 0): Record<string, unknown> {
  const resources = Object.values(template.findResources('Custom::GlueConnectionTest'));
  return resources[index].Properties as Record<string, unknown>;
}

/** The statements of the shared handler's policy. */
export function handlerStatements(template: Template): Record<string, unknown>[] {
  const policies = template.findResources('AWS::IAM::Policy');
  const entry = Object.entries(policies).find(([id]) => id.startsWith('GlueConnectionTestProviderHandlerRole'));
  if (!entry) throw new Error('no handler policy in the template');
  return (entry[1].Properties as { PolicyDocument: { Statement: Record<string, unknown>[] } }).PolicyDocument.Statement;
}
