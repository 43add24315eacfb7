/**
 * `pvlcheck conform` on logs that `simulate --format log` wrote (per-node files, clocks
 * apart by a skew): every built-in scenario, both designs, conforms and gets the verdicts
 * `simulate` gives. Tampered logs are caught, each naming the chart (or causality) and
 * the first offending line: the LVS sending via the VGW before its relay timeout, the ENI
 * moving a flow to another member with no failed probe, a fast path forwarding a flow the
 * slow path never offloaded, lines out of order beyond the skew. Bad lines exit 2 naming
 * file:line and the field.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { PACKAGE_ROOT } from '../../src/config/packageRoot.js';
import { bufferIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { BUILTIN_NAMES } from '../../src/config/builtins.js';

const dir = mkdtempSync(join(tmpdir(), 'pvlcheck-conform-'));
const XSD = readFileSync(join(PACKAGE_ROOT, 'test', 'fixtures', 'JUnit.xsd'), 'utf8');

async function expectValidJunit(xml: string): Promise<void> {
  const result = await validateXML({ xml: [{ fileName: 'conform.xml', contents: xml }], schema: [{ fileName: 'JUnit.xsd', contents: XSD }] });
  expect(result.errors.map((e) => e.rawMessage)).toEqual([]);
  expect(result.valid).toBe(true);
}
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SKEW = 5;

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIo(dir);
  const code = await main(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

/** Writes a scenario's logs (per node, clocks up to `skew` apart) and returns the directory. */
async function logsOf(scenario: string, design: string, skew = SKEW): Promise<string> {
  const out = join(dir, `${scenario}-${design}-${skew}`);
  const r = await run(['simulate', '--scenario', scenario, '--design', design, '--format', 'log', '--log-dir', out, '--skew', String(skew)]);
  expect(r.code, r.err).toBe(0);
  return out;
}

interface Json {
  conforms: boolean;
  finding: { subject: string; file: string | null; line: number | null; message: string } | null;
  offsets: { hi: Record<string, number>; lo: Record<string, number> } | null;
  properties: { id: string; verdict: string; run: string; evidence: string | null }[];
  asExpected: boolean;
}

async function conformJson(logs: string, skew = SKEW): Promise<{ code: number; json: Json }> {
  const r = await run(['conform', logs, '--skew', String(skew), '--format', 'json']);
  expect(r.err).toBe('');
  return { code: r.code, json: JSON.parse(r.out) as Json };
}

async function simulateVerdicts(scenario: string, design: string): Promise<Record<string, string>> {
  const r = await run(['simulate', '--scenario', scenario, '--design', design, '--format', 'jsonl']);
  const summary = JSON.parse(r.out.trim().split('\n').pop()!) as { verdicts: Record<string, string> };
  return summary.verdicts;
}

type Line = Record<string, unknown>;
function read(file: string): Line[] {
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
}
function write(file: string, lines: Line[]): void {
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}
/** A copy of a log directory to tamper with. */
function copy(logs: string, name: string): string {
  const to = join(dir, name);
  cpSync(logs, to, { recursive: true });
  return to;
}

describe('conform on simulated logs', () => {
  it.each(BUILTIN_NAMES.flatMap((n) => [[n, 'patent'], [n, 'prior-art']]))('%s (%s): conforms, with the verdicts simulate gives', async (name, design) => {
    const logs = await logsOf(name, design);
    const { code, json } = await conformJson(logs);
    expect(json.finding).toBeNull();
    expect(json.conforms).toBe(true);
    const expected = await simulateVerdicts(name, design);
    const got = Object.fromEntries(json.properties.map((p) => [p.id, p.run]));
    expect(got).toEqual(expected);
    // Exit code as check: 1 exactly when something is violated (or inconclusive).
    const violated = json.properties.filter((p) => p.verdict === 'violated' || p.verdict === 'inconclusive');
    expect(code).toBe(violated.length > 0 ? 1 : 0);
    // A violation names the log line of the step that violated it, or the deadline passed between lines.
    for (const p of json.properties) if (p.verdict === 'violated' && p.evidence) expect(p.evidence).toMatch(/\.jsonl:\d+(-\d+)?$/);
  });

  it('recovers the clock offsets within the skew, and prints the text report', async () => {
    const logs = await logsOf('fp-crash-reverse-only', 'prior-art');
    const { json } = await conformJson(logs);
    const hi = json.offsets!.hi;
    const nodes = Object.keys(hi);
    for (const a of nodes) for (const b of nodes) expect(Math.abs(hi[a]! - hi[b]!)).toBeLessThanOrEqual(SKEW);
    // L1's deadline passed between two lines: no line is its evidence.
    const l1 = json.properties.find((p) => p.id === 'L1')!;
    expect(l1.verdict).toBe('violated');
    expect(l1.evidence).toBeNull();
    const text = await run(['conform', logs, '--skew', String(SKEW)]);
    expect(text.code).toBe(1);
    expect(text.out).toContain('✓ conforms');
    expect(text.out).toMatch(/L1 Reverse delivery resumes\s+UNEXPECTED violated/);
  });

  it('writes the replayed log as the swimlane HTML page, and JUnit', async () => {
    const logs = await logsOf('fp-crash-reverse-only', 'patent');
    const html = join(dir, 'conform.html');
    const r = await run(['conform', logs, '--skew', String(SKEW), '--html', html]);
    expect(r.code).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<svg');
    expect(page).toContain('viaVgw');
    const junit = await run(['conform', logs, '--skew', String(SKEW), '--format', 'junit']);
    expect(junit.out).toContain('<testcase classname="conform" name="statecharts"');
    expect(junit.out).not.toContain('<failure');
    await expectValidJunit(junit.out);
  });

  it('JUnit of a log that does not conform and violates a property: valid, with the failures', async () => {
    const logs = copy(await logsOf('fp-crash-reverse-only', 'prior-art'), 'junit-bad');
    const file = join(logs, 'lvs.jsonl');
    const lines = read(file);
    const k = lines.map((l, i) => [l, i] as const).filter(([l]) => l.event === 'send' && l.dir === 'rev').pop()![1];
    lines[k] = { ...lines[k], to: 'vgw' };
    write(file, lines);
    const junit = await run(['conform', logs, '--skew', String(SKEW), '--format', 'junit']);
    expect(junit.code).toBe(1);
    expect(junit.out).toMatch(/<failure type="pvlcheck.DoesNotConform" message="[^"]*lvs\.jsonl:\d+: chart lvsPriorArt/);
    expect(junit.out).toMatch(/<failure type="pvlcheck.UnexpectedViolated" message="violated: [^"]*at \d+ ms: no response for flow f1/);
    await expectValidJunit(junit.out);
  });
});

describe('other shapes of log', () => {
  it('one merged file, without message ids, with ns timestamps, conforms the same', async () => {
    const r = await run(['simulate', '--scenario', 'fp-restart', '--format', 'log', '--skew', '3']);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Line);
    expect(new Set(lines.map((l) => l.node)).size).toBeGreaterThan(5);
    const file = join(dir, 'merged.jsonl');
    write(file, lines.map(({ id: _id, ...l }) => ({ ...l, ts: (l.ts as number) * 1e6, unit: 'ns' })));
    const c = await run(['conform', file, '--scenario', 'fp-restart', '--skew', '3', '--format', 'json']);
    expect(c.err).toBe('');
    const json = JSON.parse(c.out) as Json;
    expect(json.finding).toBeNull();
    const got = Object.fromEntries(json.properties.map((p) => [p.id, p.run]));
    expect(got).toEqual(await simulateVerdicts('fp-restart', 'patent'));
  });
});

describe('faults of the extended model', () => {
  it('a delay spike beyond the link\'s configured bounds (logged by the link\'s sender) conforms, with simulate\'s verdicts', async () => {
    const file = join(dir, 'spike.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'spike',
        design: 'patent',
        seed: 3,
        until: 12000,
        faultModel: 'extended',
        faults: [
          { at: 3000, kind: 'delaySpike', link: 'server->lvs', extraMs: 700 },
          { at: 6000, kind: 'delaySpike', link: 'server->lvs', extraMs: 0 },
        ],
      }),
    );
    const logs = join(dir, 'spike-logs');
    expect((await run(['simulate', '--scenario-file', file, '--format', 'log', '--log-dir', logs, '--skew', String(SKEW)])).code).toBe(0);
    expect(read(join(logs, 'server.jsonl')).filter((l) => l.event === 'fault').map((l) => l.extraMs)).toEqual([700, 0]);
    const { json } = await conformJson(logs);
    expect(json.finding).toBeNull();
    const sim = await run(['simulate', '--scenario-file', file, '--format', 'jsonl']);
    const expected = (JSON.parse(sim.out.trim().split('\n').pop()!) as { verdicts: Record<string, string> }).verdicts;
    expect(Object.fromEntries(json.properties.map((p) => [p.id, p.run]))).toEqual(expected);
  });
});

describe('tampered logs are caught, naming the chart and the first offending line', () => {
  it('the LVS sends via the VGW before its relay timeout', async () => {
    const logs = copy(await logsOf('normal', 'patent'), 'tamper-vgw');
    const file = join(logs, 'lvs.jsonl');
    const lines = read(file);
    // The first reverse packet the LVS sends over its learned fast path: now via the VGW.
    const k = lines.findIndex((l) => l.event === 'send' && l.dir === 'rev' && String(l.to).startsWith('fp'));
    expect(k).toBeGreaterThan(0);
    lines[k] = { ...lines[k], to: 'vgw' };
    write(file, lines);
    const { code, json } = await conformJson(logs);
    expect(code).toBe(1);
    expect(json.conforms).toBe(false);
    expect(json.finding!.subject).toMatch(/chart lvs \(models\/lvs\.ts\)/);
    expect(json.finding!.file!.endsWith('lvs.jsonl')).toBe(true);
    expect(json.finding!.line).toBe(k + 1);
    expect(json.finding!.message).toContain('to vgw');
  });

  it('the ENI moves a flow to another member with no failed probe', async () => {
    const logs = copy(await logsOf('normal', 'patent'), 'tamper-eni');
    const file = join(logs, 'eni.jsonl');
    const lines = read(file);
    // A forward packet after the first one: sent to the other fast path.
    const sends = lines.map((l, i) => [l, i] as const).filter(([l]) => l.event === 'send' && l.dir === 'fwd' && String(l.to).startsWith('fp'));
    const [line, k] = sends[2]!;
    lines[k] = { ...line, to: line.to === 'fp1' ? 'fp2' : 'fp1' };
    write(file, lines);
    const { code, json } = await conformJson(logs);
    expect(code).toBe(1);
    expect(json.finding!.subject).toMatch(/chart eni \(models\/eni\.ts\)/);
    expect(json.finding!.file!.endsWith('eni.jsonl')).toBe(true);
    expect(json.finding!.line).toBe(k + 1);
  });

  it('a fast path forwards a flow the slow path never offloaded', async () => {
    const logs = copy(await logsOf('normal', 'patent'), 'tamper-offload');
    // The slow path's offloads, and the fast path's receipt of them, are gone.
    const sp = join(logs, 'sp.jsonl');
    write(sp, read(sp).filter((l) => !(l.event === 'send' && l.type === 'offload')));
    let fpFile = '';
    let forwardLine = -1;
    for (const fp of ['fp1', 'fp2']) {
      const file = join(logs, `${fp}.jsonl`);
      const lines = read(file);
      if (!lines.some((l) => l.event === 'recv' && l.type === 'offload')) continue;
      const kept = lines.filter((l) => !(l.event === 'recv' && l.type === 'offload'));
      write(file, kept);
      // The first packet it forwards to the LVS: it had no flow entry for it.
      if (!fpFile) {
        fpFile = file;
        forwardLine = kept.findIndex((l) => l.event === 'send' && l.to === 'lvs') + 1;
      }
    }
    expect(forwardLine).toBeGreaterThan(0);
    const { code, json } = await conformJson(logs);
    expect(code).toBe(1);
    expect(json.finding!.subject).toMatch(/chart fastPath of fp\d \(models\/fastPath\.ts\)/);
    expect(json.finding!.file!.endsWith(fpFile.slice(logs.length + 1))).toBe(true);
    expect(json.finding!.line).toBe(forwardLine);
    expect(json.finding!.message).toMatch(/no transition explains it/);
  });

  it('lines out of causal order by more than the skew', async () => {
    const logs = copy(await logsOf('normal', 'patent'), 'tamper-order');
    const file = join(logs, 'lvs.jsonl');
    const lines = read(file);
    // A receive moved 50 ms before its send (the skew allows 5).
    const k = lines.findIndex((l) => l.event === 'recv' && l.from === 'server');
    lines[k] = { ...lines[k], ts: (lines[k]!.ts as number) - 50 };
    write(file, lines);
    const { code, json } = await conformJson(logs);
    expect(code).toBe(1);
    expect(json.finding!.subject).toBe('causality');
    expect(json.finding!.file!.endsWith('lvs.jsonl')).toBe(true);
    expect(json.finding!.line).toBe(k + 1);
    expect(json.finding!.message).toMatch(/more than the 5 ms skew/);
  });

  it('clocks further apart than --skew says are refused the same way', async () => {
    const logs = await logsOf('normal', 'patent', 40);
    const { code, json } = await conformJson(logs, 0);
    expect(code).toBe(1);
    expect(json.finding!.subject).toBe('causality');
    // ... and accepted with the true skew.
    expect((await conformJson(logs, 40)).json.conforms).toBe(true);
  });
});

describe('logs of a seeded bug (models/mutants.ts)', () => {
  it('against its own chart they conform and the property names the lines; against the patent\'s, the chart names the first one', async () => {
    // fp-bypasses-slow-path: a fast path forwards a flow's first packet with no offload.
    const logs = await logsOf('normal', 'fp-bypasses-slow-path');
    const own = await conformJson(logs);
    expect(own.json.conforms).toBe(true);
    const s2 = own.json.properties.find((p) => p.id === 'S2')!;
    expect(s2.verdict).toBe('violated');
    // The step: the fast path's receipt of the packet and its forward to the LVS.
    const fp = s2.evidence!.match(/(fp\d)\.jsonl:(\d+)-(\d+)$/)!;
    const lines = read(join(logs, `${fp[1]}.jsonl`));
    expect(lines[Number(fp[2]) - 1]).toMatchObject({ event: 'recv', from: 'eni', type: 'data', dir: 'fwd' });
    expect(lines[Number(fp[3]) - 1]).toMatchObject({ event: 'send', to: 'lvs', type: 'data', dir: 'fwd' });
    const patent = await run(['conform', logs, '--skew', String(SKEW), '--design', 'patent', '--format', 'json']);
    const finding = (JSON.parse(patent.out) as Json).finding!;
    expect(finding.subject).toMatch(new RegExp(`chart fastPath of ${fp[1]}`));
    expect(finding.line).toBe(Number(fp[3]));
    expect(finding.message).toContain('the chart sends data fwd f1 request vni 100 to sp');
  });
});

describe('bad input', () => {
  it('a bad field exits 2 naming file:line and the field', async () => {
    const logs = copy(await logsOf('normal', 'patent'), 'bad-field');
    const file = join(logs, 'vgw.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8') + JSON.stringify({ ts: 5, node: 'vgw', event: 'send', to: 'eni', type: 'data', dir: 'sideways', flow: 'f1', vni: 200, kind: 'stream' }) + '\n');
    const lineNo = readFileSync(file, 'utf8').trim().split('\n').length;
    const r = await run(['conform', logs]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`vgw\\.jsonl:${lineNo}: dir: must be one of "fwd", "rev"`));
  });

  it('an unknown node, a missing field, and no logs at all', async () => {
    const f = join(dir, 'one.jsonl');
    writeFileSync(f, '{"ts":1,"node":"lvs9","event":"timer","timer":"x"}\n');
    expect((await run(['conform', f])).err).toMatch(/one\.jsonl:1: node: /);
    writeFileSync(f, '{"ts":1,"node":"lvs","event":"timer"}\n');
    expect((await run(['conform', f])).err).toMatch(/one\.jsonl:1: timer: missing/);
    const r = await run(['conform']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/LOG/);
  });

  it('simulate refuses --skew without --format log', async () => {
    const r = await run(['simulate', '--scenario', 'normal', '--skew', '3']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--skew: only with --format log/);
  });
});
