// Worker entry point in plain JavaScript: when waftune runs from TypeScript sources (tsx), the
// worker has no loader for .ts files until this registers one.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
