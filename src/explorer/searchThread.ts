/**
 * A search's worker thread, and the one the command line starts early. A worker thread boots
 * and loads the explorer and the properties before it can search; the command line starts
 * it before it loads its own modules (the same ones), so that the two loads run side by side
 * instead of one after the other (docs/explorer.md, "Start-up"). This module loads nothing
 * of the explorer itself, for that reason.
 */
import { totalmem } from 'node:os';
import { Worker, type MessagePort } from 'node:worker_threads';

/**
 * Run from the TypeScript sources (under vitest), which worker threads cannot load: every
 * search runs in the calling thread, with one worker.
 */
export const IN_PROCESS = !import.meta.url.endsWith('.js');

/** The smallest heap bound that leaves the search room to start (the models alone take some 40 MB). */
export const MEMORY_MIN_MB = 64;

/** This machine's memory, MB: the most a search thread's heap may be given. */
export function maxMemoryMb(): number {
  return Math.max(MEMORY_MIN_MB, Math.floor(totalmem() / 2 ** 20));
}

/** The search's heap bound when `--memory` does not say: half this machine's memory, at most 4 GB. */
export const DEFAULT_MEMORY_MB = Math.min(4096, Math.max(MEMORY_MIN_MB, Math.floor(totalmem() / 2 ** 21)));

/** Where a worker thread imports the properties: a module's file URL and its export that holds the list. */
export interface PropertyModule {
  url: string;
  name: string;
}

/**
 * A search thread's young generation, MB. Node gives a worker 48 (from its old-generation
 * limit); a smaller nursery is collected more often but each time stays nearer the
 * processor's cache, and the search ran faster with it (measured in docs/explorer.md).
 */
const SEARCH_YOUNG_MB = 16;

/**
 * A search thread's V8 heap limit for a search bound of `memoryMb`: well above the bound
 * (which the thread's poll enforces), so that the search stops cleanly first and the thread
 * is never killed for memory.
 */
function heapLimitMb(memoryMb: number): number {
  return Math.min(memoryMb * 2 + 256, maxMemoryMb());
}

/**
 * A worker thread running workerThread.ts. `job` given: it starts on it at once. Without:
 * it loads the explorer and the properties, then waits for its job (SearchThread.run).
 */
function spawn(properties: PropertyModule, memoryMb: number, job: object | null, transferList: MessagePort[] = []): Worker {
  return new Worker(new URL('./workerThread.js', import.meta.url), {
    workerData: job === null ? { mode: 'waiting', properties } : { ...job, properties },
    transferList,
    resourceLimits: { maxYoungGenerationSizeMb: SEARCH_YOUNG_MB, maxOldGenerationSizeMb: heapLimitMb(memoryMb) },
  });
}

/** What happened to a thread before anyone listened for its reply: an error, an exit. */
interface Before {
  error: Error | null;
  exited: number | null;
}

/** A worker thread's one message, or its error, or its exit before it sent one (`before`: what it already did). */
function replyOf<T>(w: Worker, before: Before | null = null): Promise<T> {
  const exitedEarly = (code: number) => new Error(`explorer worker exited with code ${code} before it replied`);
  return new Promise<T>((resolve, reject) => {
    if (before?.error) return reject(before.error);
    if (before?.exited != null) return reject(exitedEarly(before.exited));
    let replied = false;
    w.on('message', (m: T) => {
      replied = true;
      resolve(m);
    });
    w.on('error', reject);
    // An exit before its one message, even with code 0, is a failure: nothing else would answer.
    w.on('exit', (code) => {
      if (!replied) reject(exitedEarly(code));
    });
  });
}

/** A worker thread of a search, started on `job`, resolved with its one message. */
export function inThread<T>(job: object, properties: PropertyModule, memoryMb: number, transferList: MessagePort[] = []): Promise<T> {
  return replyOf<T>(spawn(properties, memoryMb, job, transferList));
}

/**
 * A search thread started before its job is known, for a one-thread search under the
 * default memory bound (the bound sets the thread's heap limit, which is fixed at its
 * start). It does not keep the process alive until it is given a job; one that is not
 * wanted is ended (`end`).
 */
export class SearchThread {
  private readonly worker: Worker;
  /** What happened to it before it was given its job. */
  private readonly before: Before = { error: null, exited: null };
  private taken = false;
  constructor(
    readonly properties: PropertyModule,
    readonly memoryMb: number = DEFAULT_MEMORY_MB,
  ) {
    this.worker = spawn(properties, memoryMb, null);
    this.worker.unref();
    this.worker.once('error', (e) => (this.before.error ??= e));
    this.worker.once('exit', (code) => (this.before.exited ??= code));
  }
  /** Can it run a one-thread search of these properties under this bound? */
  fits(properties: PropertyModule, memoryMb: number): boolean {
    return !this.taken && this.memoryMb === memoryMb && this.properties.url === properties.url && this.properties.name === properties.name;
  }
  /** Its job, and its one message. */
  run<T>(job: object): Promise<T> {
    if (this.taken) throw new Error('a search thread runs one job');
    const reply = replyOf<T>(this.worker, this.before);
    try {
      this.worker.postMessage(job);
    } catch (e) {
      // Never given its job: ended, so that it holds nothing open.
      this.end();
      throw e;
    }
    this.taken = true;
    this.worker.ref();
    return reply;
  }
  /** Ends it, unless it has its job. */
  end(): void {
    if (this.taken) return;
    this.taken = true;
    void this.worker.terminate();
  }
}
