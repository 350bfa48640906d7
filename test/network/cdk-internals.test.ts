/**
 * The non-public reads of aws-cdk-lib (lib/private/resource-definition.ts lists them): each is
 * pinned here, so that a release of aws-cdk-lib that changes one of their shapes fails this
 * suite loudly, instead of the readers silently seeing no overrides, no properties or no
 * cross-stack reference.
 */
import { App, CfnResource, Reference, ReferenceStrength, Stack, Tokenization } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { definitionOf, plainProperties, propertyOverrides, referenceBehind } from '../../lib/private/resource-definition';

describe('non-public reads of aws-cdk-lib', () => {
  test('rawOverrides: a property override is read', () => {
    const stack = new Stack();
    const group = new ec2.CfnSecurityGroup(stack, 'Group', { groupDescription: 'g' });
    group.addPropertyOverride('VpcId', 'vpc-1');
    expect(propertyOverrides(group)).toEqual({ VpcId: 'vpc-1' });
    expect(definitionOf(group).properties.vpcId).toBe('vpc-1');
  });

  test('cfnProperties: a plain CfnResource\'s properties are read, camelCased, resolved; intrinsics and ALL_CAPS keys kept', () => {
    const stack = new Stack();
    const group = new ec2.CfnSecurityGroup(stack, 'Group', { groupDescription: 'g' });
    const rule = new CfnResource(stack, 'Rule', {
      type: 'AWS::EC2::SecurityGroupIngress',
      properties: { GroupId: group.attrGroupId, IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, Tags: [{ Key: 'A', Value: { Ref: 'AWS::Region' } }], Map: { JDBC_URL: 'x' } },
    });
    expect(plainProperties(rule)).toBeDefined();
    expect(definitionOf(rule).properties).toEqual({
      groupId: { 'Fn::GetAtt': ['Group', 'GroupId'] }, ipProtocol: 'tcp', fromPort: 0, toPort: 65535,
      tags: [{ key: 'A', value: { Ref: 'AWS::Region' } }], map: { JDBC_URL: 'x' },
    });
  });
});

describe('the reference behind Stack.consumeReference', () => {
  test('a weak reference\'s wrapper yields the Reference to the producer\'s element', () => {
    const consume = (Stack as unknown as { consumeReference?: (v: string, s?: unknown) => string }).consumeReference;
    // aws-cdk-lib below 2.22x has no consumeReference: nothing to unwrap there (the floor's tokens are References).
    if (consume === undefined) return;
    const app = new App();
    const producer = new Stack(app, 'Producer');
    const group = new ec2.CfnSecurityGroup(producer, 'Group', { groupDescription: 'g' });
    const token = Tokenization.reverse(consume(group.attrGroupId, ReferenceStrength.WEAK));
    expect(token).toBeDefined();
    expect(Reference.isReference(token)).toBe(false);
    const reference = referenceBehind(token!);
    expect(reference).toBeDefined();
    expect(reference!.target).toBe(group);
  });
});
