/** A worker thread of `pvlcheck explore`: its share of a parallel exploration. */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { exploreShare } from '../explorer/parallel.js';
import { SharedFingerprintSet } from '../explorer/sharedSet.js';
import { explorePropertiesTaken, optionsOf, type ExploreRequest } from './explore.js';

const data = workerData as {
  mode?: 'perProperty';
  request: ExploreRequest;
  buffer: SharedArrayBuffer;
  control: SharedArrayBuffer;
  index: number;
  count: number;
  peers: Map<number, MessagePort>;
};
const clock = () => performance.now(); // real-time-ok: figures only
if (data.mode === 'perProperty') {
  const { counter, order } = workerData as { counter: SharedArrayBuffer; order: string[] };
  parentPort!.postMessage(explorePropertiesTaken(data.request, counter, order, clock));
} else {
  const result = exploreShare(optionsOf(data.request, clock), new SharedFingerprintSet(data.buffer), data.control, data.index, data.count, data.peers);
  for (const port of data.peers.values()) port.close();
  parentPort!.postMessage(result);
}
