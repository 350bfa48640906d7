/**
 * TestConnection passes the role a connection names (its ROLE_ARN property) to Glue: the
 * Service Authorization Reference lists `iam:PassRole` as TestConnection's dependent action,
 * with the condition key `iam:PassedToService`.
 */
import * as iam from 'aws-cdk-lib/aws-iam';

/** Lets `grantee` pass `roleArn`, and only to Glue; nothing when the connection names no role. */
export function grantPassRole(grantee: iam.IPrincipal, roleArn: unknown): void {
  if (typeof roleArn !== 'string' || roleArn.length === 0) return;
  grantee.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['iam:PassRole'],
    resources: [roleArn],
    conditions: { StringEquals: { 'iam:PassedToService': 'glue.amazonaws.com' } },
  }));
}
