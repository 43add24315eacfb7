/**
 * `replay FILE --inspect URL` streams a prior-art counterexample into a WebSocket inspector
 * server: a relay on 127.0.0.1 (as `@statelyai/inspect/server` is, keeping every message)
 * and a viewer client. The viewer gets one actor per statechart instance with its machine
 * definition, every delivered message and timer as an event (in the trace's order, at its
 * virtual time, to the per-flow actor), and after each a snapshot with the context. And
 * `--inspect` alone serves the whole run on 127.0.0.1 to a viewer that connects late, then
 * stops by itself. Loopback only; every wait is bounded.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'pvlcheck-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A prior-art counterexample as `check` shrinks them (README): fp2 crashes while the client is silent. */
const COUNTEREXAMPLE = {
  name: 'prior-art-L1',
  design: 'prior-art',
  seed: 7,
  until: 1500,
  choices: 'minimal',
  config: { fastPaths: 2, relayTimeoutMs: 360, scanMs: 10, probeTimeoutMs: 50, probeRetries: 1, linkDelayMs: [0, 0] },
  workload: { kind: 'reverse-heavy', flows: 1, streamIntervalMs: 50, ackEvery: 1, hangTimeoutMs: 200 },
  faults: [{ at: 61, kind: 'crash', node: 'fp2' }],
};

interface Msg {
  type: string;
  sessionId: string;
  createdAt: string;
  name?: string;
  definition?: string;
  sourceId?: string;
  event?: { type: string; [k: string]: unknown };
  snapshot?: { status?: string; value?: unknown; context?: Record<string, unknown> };
}

/** A relay like Stately's inspector server: what one client sends, the others get; it keeps everything. */
async function relay(): Promise<{ url: string; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const kept: string[] = [];
  wss.on('connection', (ws) => {
    for (const m of kept) ws.send(m);
    ws.on('message', (data) => {
      const m = data.toString();
      kept.push(m);
      for (const c of wss.clients) if (c !== ws && c.readyState === WebSocket.OPEN) c.send(m);
    });
  });
  const port = (wss.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
}

/** A viewer: collects messages until `done` says so or the bound passes. */
async function viewer(url: string): Promise<{ messages: Msg[]; until: (done: (m: Msg[]) => boolean, ms?: number) => Promise<void>; close: () => void }> {
  const ws = new WebSocket(url);
  const messages: Msg[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as Msg));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    messages,
    until: async (done, ms = 10_000) => {
      const start = Date.now();
      while (!done(messages) && Date.now() - start < ms) await new Promise((r) => setTimeout(r, 20));
    },
    close: () => ws.terminate(),
  };
}

describe('replay --inspect URL', () => {
  it('streams actors, events and snapshots in order, at virtual time, with contexts', async () => {
    const file = join(dir, 'prior-art-L1.json');
    writeFileSync(file, JSON.stringify(COUNTEREXAMPLE, null, 2));
    // The trace the viewer's stream must follow.
    const traceIo = bufferIo(dir);
    expect(await main(['replay', file, '--format', 'jsonl'], traceIo)).toBe(0);
    const trace = traceIo.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(trace.some((e) => e.event === 'violation' && e.property === 'L1')).toBe(true);

    const server = await relay();
    const view = await viewer(server.url);
    try {
      const io = bufferIo(dir);
      const code = await main(['replay', file, '--inspect', server.url], io);
      expect(io.stderr()).toContain(`to the inspector at ${server.url}`);
      expect(code).toBe(0);
      const expectedEvents = trace.filter((e) => e.event === 'deliver' || e.event === 'timer');
      await view.until((m) => m.filter((x) => x.type === '@xstate.event').length >= expectedEvents.length);
      const m = view.messages;

      // Actors: one per statechart instance, each with its machine definition and context.
      const actors = m.filter((x) => x.type === '@xstate.actor');
      const ids = new Set(actors.map((a) => a.sessionId));
      for (const id of ['client/f1', 'eni', 'sp', 'fp1', 'fp2', 'control', 'lvs/f1', 'vgw', 'server/f1']) expect(ids, id).toContain(id);
      const lvs = actors.find((a) => a.sessionId === 'lvs/f1')!;
      expect(lvs.name).toBe('lvsPriorArt');
      const definition = JSON.parse(lvs.definition!) as { id: string; states: Record<string, unknown> };
      expect(definition.id).toBe('lvsPriorArt');
      expect(Object.keys(definition.states)).toContain('viaFastPath');
      expect(actors.find((a) => a.sessionId === 'eni')!.snapshot!.context!.members).toEqual(['10.1.0.1', '10.1.0.2']);
      // Every actor is registered before its first event.
      for (const id of ids) {
        const first = m.findIndex((x) => x.sessionId === id);
        expect(m[first]!.type, id).toBe('@xstate.actor');
      }

      // Events: the trace's deliveries and timers, in order, at their virtual time, to the right instance.
      const events = m.filter((x) => x.type === '@xstate.event');
      const want = expectedEvents.map((e) => {
        const perFlow = ['client', 'lvs', 'server'].includes(e.event === 'deliver' ? e.to : e.node);
        const node = e.event === 'deliver' ? e.to : e.node;
        const flow = e.event === 'deliver' ? e.msg.flow : e.instance;
        return `${e.t} ${perFlow ? `${node}/${flow}` : node} ${e.event === 'deliver' ? e.msg.type : 'timer'}`;
      });
      const got = events.map((x) => `${x.createdAt} ${x.sessionId} ${x.event!.type.startsWith('xstate.') || x.event!.type === 'start' || x.event!.type === 'probeTimeout' || x.event!.type === 'streamTick' || x.event!.type === 'hangTimeout' ? 'timer' : x.event!.type}`);
      expect(got.length).toBe(want.length);
      expect(got).toEqual(want);
      // A delivered message names its sender's actor as the source.
      const toLvs = events.find((x) => x.sessionId === 'lvs/f1' && x.event!.type === 'data')!;
      expect(toLvs.sourceId).toMatch(/^fp\d$/);

      // Snapshots: one after every event, for its actor, carrying the event, the state and the context.
      for (const e of events) {
        const k = m.indexOf(e);
        const after = m[k + 1]!;
        expect(after.type).toBe('@xstate.snapshot');
        expect(after.sessionId).toBe(e.sessionId);
        expect(after.event).toEqual(e.event);
        expect(after.createdAt).toBe(e.createdAt);
      }
      // Virtual time never goes back, and ends within the run.
      const times = m.map((x) => Number(x.createdAt));
      for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
      expect(times[times.length - 1]!).toBeLessThanOrEqual(COUNTEREXAMPLE.until);
      // The crash stops fp2's chart at 61 ms; the LVS's context keeps the dead path (the prior art's flaw).
      const stopped = m.find((x) => x.type === '@xstate.snapshot' && x.sessionId === 'fp2' && x.snapshot!.status === 'stopped')!;
      expect(stopped.createdAt).toBe('61');
      const lastLvs = m.filter((x) => x.type === '@xstate.snapshot' && x.sessionId === 'lvs/f1').pop()!;
      expect(lastLvs.snapshot!.context!.pathVirtIp).toBe('10.1.0.2');
      // The client hangs 200 ms after its last reverse packet (60 ms), silent: no new request, no probe.
      const hung = m.find((x) => x.type === '@xstate.snapshot' && x.sessionId === 'client/f1' && x.snapshot!.value === 'hung')!;
      expect(hung.createdAt).toBe('260');
      expect(hung.snapshot!.context!.hangTimeoutMs).toBe(200);
      expect(m.filter((x) => x.sessionId === 'eni' && x.type === '@xstate.snapshot').every((x) => JSON.stringify(x.snapshot!.context!.probes) === '{}')).toBe(true);
    } finally {
      view.close();
      await server.close();
    }
  }, 30_000);

  it('refuses a URL that is not a WebSocket with exit 2, before the run', async () => {
    const file = join(dir, 'cx.json');
    writeFileSync(file, JSON.stringify(COUNTEREXAMPLE));
    const io = bufferIo(dir);
    expect(await main(['replay', file, '--inspect=http://x'], io)).toBe(2);
    expect(io.stderr()).toMatch(/--inspect: expected a ws:\/\/ or wss:\/\/ URL/);
  });
});

describe('simulate --inspect (pvlcheck serves the run)', () => {
  it('gives a late viewer the whole run on 127.0.0.1, then stops by itself', async () => {
    const io = bufferIo(dir);
    const running = main(['simulate', '--scenario', 'normal', '--until', '1000', '--format', 'jsonl', '--inspect', '--inspect-for', '2'], io);
    const start = Date.now();
    while (!/ws:\/\/127\.0\.0\.1:\d+/.test(io.stderr()) && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 20));
    const url = /ws:\/\/127\.0\.0\.1:\d+/.exec(io.stderr())![0];
    // It connects after the run was made: it still gets it from the start.
    const view = await viewer(url);
    await view.until((m) => m.length > 0 && m.some((x) => x.type === '@xstate.event' && Number(x.createdAt) > 900));
    view.close();
    expect(view.messages[0]!.type).toBe('@xstate.actor');
    expect(view.messages[0]!.createdAt).toBe('0');
    expect(await running).toBe(0);
    expect(io.stderr()).toMatch(/stopped serving \(1 viewer\)/);
    // The trace went to stdout untouched.
    expect(io.stdout().trim().split('\n').pop()).toMatch(/"event":"summary"/);
  }, 30_000);
});
