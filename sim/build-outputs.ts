/**
 * Whether the handler bundle the simulation runs is current: assets/handler/index.js
 * (`npm run bundle`), built from lambda/, core/ and the shared lib/contract/ and lib/private/,
 * is what the Lambda would run. Kept apart from cloudformation.ts, which imports bin/ and lib/,
 * so that `npm run demo` can check before anything loads them. "Stale" compares modification
 * times.
 */
import * as fs from 'fs';
import * as path from 'path';

export const PROJECT_ROOT = path.resolve(__dirname, '..');

/** assets/handler/index.js is missing or older than a source it is built from. */
export function handlerBundleIsStale(root = PROJECT_ROOT): boolean {
  const mtime = (file: string) => fs.statSync(file).mtimeMs;
  const bundleFile = path.join(root, 'assets', 'handler', 'index.js');
  const sources = ['lambda', 'core', path.join('lib', 'contract'), path.join('lib', 'private')].flatMap((dir) =>
    fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.ts')).map((f) => path.join(root, dir, f)));
  return !fs.existsSync(bundleFile) || sources.some((s) => mtime(s) > mtime(bundleFile));
}
