/** A worker thread of `pvlcheck sweep`: grid points one at a time, each result sent back as plain data. */
import { parentPort, workerData } from 'node:worker_threads';
import { runPoint } from '../checker/sweep.js';
import { pointOptions, type SweepWorkerData } from './sweep.js';

const data = workerData as SweepWorkerData;
parentPort!.on('message', (p: { index: number; values: Record<string, number> }) => {
  const result = runPoint(p.index, p.values, pointOptions(data, () => performance.now()), data.manifest); // real-time-ok: timings only
  parentPort!.postMessage({ type: 'result', result });
});
