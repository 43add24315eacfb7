/**
 * A search's worker thread, and the one the command line starts early. A worker thread boots
 * and loads the explorer and the properties before it can search; the command line starts
 * it before it loads its own modules (the same ones), so that the two loads run side by side
 * instead of one after the other (docs/explorer.md, "Start-up"). This module loads nothing
 * of the explorer itself, for that reason.
 */
import { totalmem } from 'node:os';
import { setFlagsFromString } from 'node:v8';
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
 * What a search thread's heap is sized from: the search's memory bound, and whether the
 * search puts memory first (`--lean`).
 */
export interface SearchHeap {
  readonly memoryMb: number;
  readonly lean: boolean;
}

/** The heap of a search under the default bound, not lean: the one the command line starts early. */
export const DEFAULT_HEAP: SearchHeap = { memoryMb: DEFAULT_MEMORY_MB, lean: false };

/**
 * A small nursery (young generation), MB: collected often, each time near the processor's
 * cache. Node gives a worker 48; 16 was faster (docs/explorer.md, "A nursery a small
 * search never collects"). Lean searches and small memory bounds keep it.
 */
const SMALL_NURSERY_MB = 16;

/**
 * A large nursery, MB: three semi-spaces of LARGE_SEMI_SPACE_MB. Whatever a search keeps
 * is copied by the collector on its way out of the nursery; a search that ends before
 * the nursery fills (`small` with 2 faults does: docs/explorer.md, "A nursery a small search
 * never collects") is never stopped to collect, and a larger one is collected less often,
 * when more of what it made is dead.
 */
const LARGE_SEMI_SPACE_MB = 256;
const LARGE_NURSERY_MB = 3 * LARGE_SEMI_SPACE_MB;

/**
 * The least memory bound that gets the large nursery: the bound counts the heap as V8
 * reports it, uncollected garbage included, so the nursery stays within an eighth of it.
 */
export const LARGE_NURSERY_MIN_MEMORY_MB = 8 * LARGE_SEMI_SPACE_MB;

/** A search thread's young generation, MB: large unless the search is lean or its bound is small. */
export function nurseryMb(heap: SearchHeap): number {
  return !heap.lean && heap.memoryMb >= LARGE_NURSERY_MIN_MEMORY_MB ? LARGE_NURSERY_MB : SMALL_NURSERY_MB;
}

/**
 * V8 starts a nursery at a semi-space of 1 MB and grows it only as collections find much
 * alive: a large one must start at its full size to spare a small search its collections,
 * and a small one at the smallest (a lean search ran slower with its 16 MB started full).
 * The size to start at is a process-wide V8 flag (`--min-semi-space-size`, capped by each
 * thread's own young generation), read when a thread's heap is set up, on the new thread,
 * after `new Worker` returns. So this state mirrors the flag, process-wide as the flag is:
 * the value set last, and the spawn that may not have read it yet (its thread is online once
 * its heap is set up); the flag changes only after that spawn is online.
 */
const nurseryFlag = { semiSpaceMb: 0, lastSpawnOnline: Promise.resolve() };

/** The semi-space size a thread with this heap should start at, MB (0: V8's default, the smallest). */
function startingSemiSpaceMb(heap: SearchHeap): number {
  return nurseryMb(heap) === LARGE_NURSERY_MB ? LARGE_SEMI_SPACE_MB : 0;
}

/**
 * Can the flag be changed? Not under `node --freeze-flags-after-init`, where changing it
 * aborts the process; then every nursery grows from the smallest, as V8 sees fit.
 */
const FLAGS_FROZEN = process.execArgv.some((a) => a.startsWith('--freeze-flags-after-init'));

/** Sets the flag for a spawn now (the caller knows no earlier spawn can still read it). */
function setStartingSemiSpace(mb: number): void {
  if (FLAGS_FROZEN || nurseryFlag.semiSpaceMb === mb) return;
  setFlagsFromString(`--min-semi-space-size=${mb}`);
  nurseryFlag.semiSpaceMb = mb;
}

/** Remembers that this spawn's thread reads the flag until it is online (or gone). */
function noteSpawn(w: Worker): void {
  nurseryFlag.lastSpawnOnline = new Promise<void>((resolve) => {
    w.once('online', () => resolve());
    w.once('error', () => resolve());
    w.once('exit', () => resolve());
  });
}

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
function spawn(properties: PropertyModule, heap: SearchHeap, job: object | null, transferList: MessagePort[] = []): Worker {
  const w = new Worker(new URL('./workerThread.js', import.meta.url), {
    workerData: job === null ? { mode: 'waiting', properties } : { ...job, properties },
    transferList,
    resourceLimits: { maxYoungGenerationSizeMb: nurseryMb(heap), maxOldGenerationSizeMb: heapLimitMb(heap.memoryMb) },
  });
  noteSpawn(w);
  return w;
}

/** A thread for this heap, once the nursery flag is right for it (an earlier spawn that may still read the flag is waited for first). */
async function spawnWhenFlagSet(properties: PropertyModule, heap: SearchHeap, job: object, transferList: MessagePort[]): Promise<Worker> {
  const mb = startingSemiSpaceMb(heap);
  if (mb !== nurseryFlag.semiSpaceMb) {
    await nurseryFlag.lastSpawnOnline;
    setStartingSemiSpace(mb);
  }
  return spawn(properties, heap, job, transferList);
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
export async function inThread<T>(job: object, properties: PropertyModule, heap: SearchHeap, transferList: MessagePort[] = []): Promise<T> {
  return replyOf<T>(await spawnWhenFlagSet(properties, heap, job, transferList));
}

/**
 * A search thread started before its job is known, for a one-thread search under the
 * default memory bound, not lean (the bound and the mode size the thread's heap, which is
 * fixed at its start). It does not keep the process alive until it is given a job; one that is not
 * wanted is ended (`end`).
 */
export class SearchThread {
  private readonly worker: Worker;
  /** What happened to it before it was given its job. */
  private readonly before: Before = { error: null, exited: null };
  private taken = false;
  constructor(
    readonly properties: PropertyModule,
    readonly heap: SearchHeap = DEFAULT_HEAP,
  ) {
    // The first spawn of a process: nothing earlier can read the flag.
    setStartingSemiSpace(startingSemiSpaceMb(heap));
    this.worker = spawn(properties, heap, null);
    this.worker.unref();
    this.worker.once('error', (e) => (this.before.error ??= e));
    this.worker.once('exit', (code) => (this.before.exited ??= code));
  }
  /** Can it run a one-thread search of these properties in a heap sized like this? */
  fits(properties: PropertyModule, heap: SearchHeap): boolean {
    return (
      !this.taken &&
      this.heap.memoryMb === heap.memoryMb &&
      nurseryMb(this.heap) === nurseryMb(heap) &&
      this.properties.url === properties.url &&
      this.properties.name === properties.name
    );
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
