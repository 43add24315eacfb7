/** A worker thread of `pvlcheck explore`: its share of a parallel exploration. */
import { parentPort, workerData } from 'node:worker_threads';
import { exploreShare } from '../explorer/explore.js';
import { SharedFingerprintSet } from '../explorer/sharedSet.js';
import { optionsOf, type ExploreRequest } from './explore.js';

const { request, buffer, index, count } = workerData as { request: ExploreRequest; buffer: SharedArrayBuffer; index: number; count: number };
const clock = () => performance.now(); // real-time-ok: figures only
parentPort!.postMessage(exploreShare(optionsOf(request, clock), new SharedFingerprintSet(buffer), index, count));
