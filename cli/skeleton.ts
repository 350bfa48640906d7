/**
 * `--generate-cli-skeleton`: `input` prints the TestConnection request the seed's command prints
 * (every member, strings and map values blank, maps with one `KeyName`), generated from the
 * request model so that it follows the SDK's shape; an enumeration shows one of its values where
 * the seed picks one at random. `output` prints the shape of what `--output json` prints: the
 * seed's TestConnection answers nothing (`{}`), this command answers the test's outcome.
 * Indented by four spaces, as the AWS CLI prints JSON.
 */
import { MemberRule, TEST_CONNECTION_REQUEST } from '../lib/contract/request';
import type { TestConnectionResult } from './test-connection';

export function inputSkeleton(rule: MemberRule = TEST_CONNECTION_REQUEST): unknown {
  if (rule.type === 'string') return rule.oneOf?.[0] ?? rule.known?.[0] ?? '';
  if (rule.type === 'map') return { KeyName: '' };
  return Object.fromEntries(Object.entries(rule.members).map(([name, member]) => [name, inputSkeleton(member)]));
}

export const OUTPUT_SKELETON: TestConnectionResult = {
  connection: '',
  connectionType: '',
  catalogId: '',
  result: 'PASSED',
  category: '',
  reason: '',
  error: '',
  findings: [{ check: '', resource: '', problem: '', fix: '' }],
  notInspected: [{ action: '', error: '' }],
  durationMs: 0,
};

export function printJson(value: unknown): string {
  return JSON.stringify(value, null, 4);
}
