/**
 * Records, on the library's own resources, why a finding of policy checkers such as cdk-nag's
 * AwsSolutions pack is accepted, so users who run them see only findings about their own code.
 *
 * `Validations.of().acknowledge()` (what cdk-nag 3 reads) exists from aws-cdk-lib 2.257; on
 * older releases the library still works and the acknowledgement is left out. cdk-nag 2 reads
 * the `cdk_nag` metadata of the resource, which is written as well.
 */
import * as cdk from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

interface ValidationsApi {
  of(scope: IConstruct): { acknowledge(...rules: { id: string; reason: string }[]): void };
}

/** Acknowledges a finding (`rule`, with its `[detail]` when it has one) on `construct`. */
export function acknowledge(construct: IConstruct, rule: string, reason: string, cdkNagAppliesTo?: string): void {
  const validations = (cdk as unknown as { Validations?: ValidationsApi }).Validations;
  validations?.of(construct).acknowledge({ id: rule, reason });
  const resource = construct.node.defaultChild ?? construct;
  if (cdk.CfnResource.isCfnResource(resource)) {
    const baseRule = rule.replace(/\[.*\]$/, '');
    const existing = (resource.getMetadata('cdk_nag') as { rules_to_suppress?: unknown[] } | undefined)?.rules_to_suppress ?? [];
    resource.addMetadata('cdk_nag', {
      rules_to_suppress: [...existing, { id: baseRule, reason, ...(cdkNagAppliesTo ? { applies_to: [cdkNagAppliesTo] } : {}) }],
    });
  }
}
