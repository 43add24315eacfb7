/** A worker thread of `pvlcheck check`: one design's runs, reported back as plain data. */
import { parentPort, workerData } from 'node:worker_threads';
import { ALL_PROPERTIES } from '../../properties/index.js';
import { checkDesign } from '../checker/check.js';
import { findingSearchFor } from '../checker/findings.js';
import { CoverageCounter } from '../checker/coverage.js';
import { toWire, type WorkerRequest } from './checkWire.js';

const request = workerData as WorkerRequest;
let last = 0;
const outcome = checkDesign(request.design, {
  ...request.options,
  properties: ALL_PROPERTIES.filter((p) => request.propertyIds.includes(p.id)),
  coverage: new CoverageCounter(),
  ...(request.options.findingsTable ? { findings: findingSearchFor(request.options.findingsTable, request.design, ALL_PROPERTIES) } : {}),
  onProgress: (done, total, violations) => {
    if (done - last >= Math.max(1, Math.floor(total / 100)) || done === total) {
      last = done;
      parentPort!.postMessage({ type: 'progress', done, violations });
    }
  },
  clock: () => performance.now(), // real-time-ok: timings in the report only
});
parentPort!.postMessage({ type: 'done', outcome: toWire(outcome) });
