/**
 * Whether the handler bundle the simulation runs is current: lib/handler/index.js
 * (`npm run bundle`), built from lambda/ and the shared lib/contract.ts, is what the Lambda
 * would run. Kept apart from deploy.ts, which imports bin/ and lib/, so that `npm run demo` can
 * check before anything loads them. "Stale" compares modification times.
 */
import * as fs from 'fs';
import * as path from 'path';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** lib/handler/index.js is missing or older than lambda/*.ts or lib/contract.ts. */
export function handlerBundleIsStale(root = PROJECT_ROOT): boolean {
  const mtime = (file: string) => fs.statSync(file).mtimeMs;
  const bundleFile = path.join(root, 'lib', 'handler', 'index.js');
  const sources = [
    ...fs.readdirSync(path.join(root, 'lambda')).filter((f) => f.endsWith('.ts')).map((f) => path.join(root, 'lambda', f)),
    path.join(root, 'lib', 'contract.ts'),
  ];
  return !fs.existsSync(bundleFile) || sources.some((s) => mtime(s) > mtime(bundleFile));
}
