/**
 * The non-public reads of aws-cdk-lib (lib/private/resource-definition.ts lists them): each is
 * pinned here, so that a release of aws-cdk-lib that changes one of their shapes fails this
 * suite loudly, instead of the readers silently seeing no overrides, no properties or no
 * cross-stack reference.
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { definitionOf, plainProperties, propertyOverrides } from '../../lib/private/resource-definition';

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
