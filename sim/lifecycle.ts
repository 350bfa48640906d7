/**
 * Process hygiene for the simulation's fixtures: free loopback ports, and clean-up that runs
 * however this process ends (normal exit, Ctrl-C, SIGTERM from CI), so nothing a fixture
 * started outlives the test run or the demo.
 */
import * as net from 'net';

/**
 * A TCP port that is free on 127.0.0.1 right now. Another process could take it before the
 * caller binds it; on a test machine that race is rare enough to accept.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const cleanups = new Set<() => void>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function runCleanups(): void {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // Best effort: the remaining clean-ups must still run.
    }
  }
  cleanups.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  runCleanups();
  detach();
  // With our listeners gone, the re-raised signal gets Node's default action (or the
  // application's own listeners), as if we had never been here.
  process.kill(process.pid, signal);
}

function attach(): void {
  process.on('exit', runCleanups);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function detach(): void {
  process.off('exit', runCleanups);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/**
 * Registers a synchronous clean-up to run if the process ends before the fixture is stopped.
 * Returns the function that unregisters it (call it from the fixture's own `stop()`).
 */
export function onProcessExit(cleanup: () => void): () => void {
  if (cleanups.size === 0) attach();
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size === 0) detach();
  };
}
