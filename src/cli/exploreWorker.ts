/**
 * A worker thread of `pvlcheck explore`: the whole search (one worker, so that the main
 * thread stays free to print progress and take Ctrl-C), its share of a parallel
 * exploration, or the properties it takes one at a time (--per-property). Each polls the
 * shared stop word and the memory bound (pollFor) and records its progress there.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { exploreShare } from '../explorer/parallel.js';
import { SharedFingerprintSet } from '../explorer/sharedSet.js';
import { explorePropertiesTaken, optionsOf, pollFor, runExplore, type Control, type ExploreRequest } from './explore.js';

const data = workerData as {
  mode?: 'perProperty' | 'single';
  request: ExploreRequest;
  buffer: SharedArrayBuffer;
  control: SharedArrayBuffer;
  index: number;
  count: number;
  peers: Map<number, MessagePort>;
  /** The stop word and progress slots, shared with the main thread. */
  stop: Control;
};
const clock = () => performance.now(); // real-time-ok: figures only
if (data.mode === 'single') {
  const { control } = workerData as { control: Control };
  parentPort!.postMessage(runExplore(data.request, clock, undefined, pollFor(control, 0)));
} else if (data.mode === 'perProperty') {
  const { counter, order } = workerData as { counter: SharedArrayBuffer; order: string[] };
  parentPort!.postMessage(explorePropertiesTaken(data.request, counter, order, clock, pollFor(data.stop, data.index)));
} else {
  const options = optionsOf(data.request, clock, pollFor(data.stop, data.index));
  const result = exploreShare(options, new SharedFingerprintSet(data.buffer), data.control, data.index, data.count, data.peers);
  for (const port of data.peers.values()) port.close();
  parentPort!.postMessage(result);
}
