/**
 * The entry of an explorer worker thread (workers.ts spawns it): the whole search (one
 * worker, so that the calling thread stays free to print progress and take Ctrl-C), its
 * share of a parallel exploration, or the properties it takes one at a time
 * (--per-property). Each polls the shared stop word and the memory bound (pollFor) and
 * records its progress there. Started early (searchThread.ts), it loads everything and then
 * waits for its job. The properties come from the module the caller named
 * (functions cannot be posted to a thread): the explorer imports none itself.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { AnyProperty } from '../checker/property.js';
import { exploreShare } from './parallel.js';
import { SharedFingerprintSet } from './sharedSet.js';
import { explorePropertiesTaken, optionsOf, pollFor, runExplore, type Control, type ExploreRequest, type PropertySource } from './workers.js';

type Job = {
  mode: 'single' | 'perProperty' | 'share';
  properties: PropertySource['module'];
  request: ExploreRequest;
  /** The stop word and progress slots, shared with the calling thread, and this thread's slot. */
  stop: Control;
  index: number;
  /** share: the shared visited set, the work-stealing words (parallel.ts controlBuffer), the workers, the peers' ports. */
  buffer: SharedArrayBuffer;
  words: SharedArrayBuffer;
  count: number;
  peers: Map<number, MessagePort>;
  /** perProperty: the next property to take, and the order to take them in. */
  counter: SharedArrayBuffer;
  order: string[];
};
const given = workerData as Job | { mode: 'waiting'; properties: PropertySource['module'] };
const source = (await import(given.properties.url)) as Record<string, unknown>;
const properties = source[given.properties.name] as readonly AnyProperty[] | undefined;
if (!Array.isArray(properties)) throw new Error(`explorer worker: ${given.properties.url} exports no property list ${given.properties.name}`);
// Started early (searchThread.ts): everything is loaded; the job comes now.
const data: Job = given.mode === 'waiting' ? { ...(await jobFromParent()), properties: given.properties } : given;
if (process.env.PVLCHECK_DEBUG) {
  // The nursery of the thread that searches (searchThread.ts, nurseryMb): its new space as V8 reports it.
  const newSpace = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
  process.stderr.write(`search thread: a new space of ${Math.round(newSpace / 2 ** 20)} MB\n`);
}
const clock = () => performance.now(); // real-time-ok: figures only
if (data.mode === 'single') {
  parentPort!.postMessage(runExplore(data.request, properties, clock, undefined, pollFor(data.stop, data.index)));
} else if (data.mode === 'perProperty') {
  parentPort!.postMessage(explorePropertiesTaken(data.request, properties, data.counter, data.order, clock, pollFor(data.stop, data.index)));
} else {
  const options = optionsOf(data.request, properties, clock, pollFor(data.stop, data.index));
  const result = exploreShare(options, new SharedFingerprintSet(data.buffer), data.words, data.index, data.count, data.peers);
  for (const port of data.peers.values()) port.close();
  parentPort!.postMessage(result);
}

function jobFromParent(): Promise<Omit<Job, 'properties'>> {
  return new Promise((resolve) => parentPort!.once('message', resolve));
}
