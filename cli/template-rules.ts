/**
 * Glue's network rules on a synthesized template, as `cdk synth` applies them to the app: the
 * template's resources become L1 constructs again (aws-cdk-lib's cloudformation-include, from the
 * user's own aws-cdk-lib, the library's peer dependency), the construct's synth-time reader
 * (lib/network/path-reader.ts) fills the rules' model from them, and checkNetworkPath decides
 * (lib/network/rules.ts, the one table of rules). `preflight` loads this module only when it has
 * a connection that is not deployed yet to check, so `test-connection` never loads aws-cdk-lib.
 *
 * A template the app synthesized has passed these rules already, unless the app acknowledged a
 * check (`acknowledgedNetworkChecks`, which the template does not record) or the template was
 * edited: what this finds is said, not failed on.
 */
import { App, Stack } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { discoverPath } from '../lib/network/path-reader';
import { checkNetworkPath, NetworkFinding } from '../lib/network/rules';

const SCOPE = 'Preflight/Template/';

/**
 * The findings of the rules on the network path of the template's connection `connectionLogicalId`,
 * each resource named by its construct path (`paths`) where the assembly records it.
 */
export function templateFindings(templateFile: string, connectionLogicalId: string, paths: ReadonlyMap<string, string>, region?: string): NetworkFinding[] {
  const app = new App();
  const stack = new Stack(app, 'Preflight', region ? { env: { region } } : {});
  const template = new CfnInclude(stack, 'Template', { templateFile });
  const { model } = discoverPath(template.getResource(connectionLogicalId));
  const label = (text: string) => text.split(SCOPE).map((part, i) => {
    if (i === 0) return part;
    const id = /^[A-Za-z0-9]+/.exec(part)?.[0] ?? '';
    return (paths.get(id) ?? id) + part.slice(id.length);
  }).join('');
  return checkNetworkPath(model).findings.map((f) => ({ ...f, resource: label(f.resource), problem: label(f.problem), fix: label(f.fix) }));
}
