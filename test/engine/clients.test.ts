/**
 * Several clients, ENIs and tenants (issue 11, point 2): `config.clients` gives each client
 * its ENI, its flows and its tenant; the slow path validates each flow's CVNI/VNI as one
 * tenant's pair; S3 checks isolation between tenants; and one client (no `clients`) runs
 * exactly as before.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROPERTIES, propertiesFor } from '../../properties/index.js';
import { tenantIsolation } from '../../properties/tenantIsolation.js';
import { builtinScenario } from '../../src/config/builtins.js';
import { evaluate } from '../../src/checker/evaluate.js';
import { bufferIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { toJsonl, type TraceEvent } from '../../src/engine/trace.js';
import { inputError } from '../config/inputError.js';
import { scenario } from '../engine/helpers.js';
import { alterEvent, findStep, monitor, record, replaceAt } from '../properties/helpers.js';

const TWO_TENANTS = [
  { name: 'tenant-a', cvni: 100, vni: 200 },
  { name: 'tenant-b', cvni: 101, vni: 201 },
];

type Deliver = Extract<TraceEvent, { event: 'deliver' }>;
const deliveriesOf = (events: readonly TraceEvent[]) => events.filter((e): e is Deliver => e.event === 'deliver');

describe('several clients run end to end', () => {
  const s = scenario({
    config: { tenants: TWO_TENANTS, clients: [{ tenant: 0 }, { tenant: 1, flows: 2 }] },
    faults: [{ at: 5000, kind: 'crash', node: 'fp2' }],
    until: 12_000,
  });
  const run = evaluate(s, PROPERTIES, { keepTrace: true });
  const events = run.events ?? [];

  it('names the nodes client1, client2 and eni1, eni2, and numbers the flows across clients', () => {
    const nodes = new Set(events.flatMap((e) => ('to' in e && e.to ? [e.to] : [])));
    for (const n of ['client1', 'client2', 'eni1', 'eni2']) expect(nodes.has(n), n).toBe(true);
    expect(nodes.has('client')).toBe(false);
    expect(nodes.has('eni')).toBe(false);
  });

  it("delivers each flow's reverse data to its own client, through its own ENI, with its tenant's VNI", () => {
    const owner: Record<string, [string, string, number]> = { f1: ['client1', 'eni1', 200], f2: ['client2', 'eni2', 201], f3: ['client2', 'eni2', 201] };
    const rev = deliveriesOf(events).filter((e) => e.msg.type === 'data' && e.msg.dir === 'rev');
    for (const flow of ['f1', 'f2', 'f3']) {
      const [client, eni, vni] = owner[flow]!;
      const atClient = rev.filter((e) => e.msg.type === 'data' && e.msg.flow === flow && /^client/.test(e.to));
      expect(atClient.length, `${flow} reaches a client`).toBeGreaterThan(10);
      for (const e of atClient) {
        expect(e.to).toBe(client);
        expect(e.from).toBe(eni);
        expect(e.msg.type === 'data' && e.msg.vni).toBe(vni);
      }
    }
  });

  it("the VGW relays each flow's reverse data to the ENI of that flow's client", () => {
    const viaVgw = deliveriesOf(events).filter((e) => e.from === 'vgw' && e.msg.type === 'data');
    const routes = new Set(viaVgw.map((e) => `${e.msg.type === 'data' ? e.msg.flow : ''}>${e.to}`));
    // The flows fp2 carried (ECMP: f1 of client1, f3 of client2) fell back to the VGW; f2 was on fp1.
    expect([...routes].sort()).toEqual(['f1>eni1', 'f3>eni2']);
  });

  it('every property holds or is witnessed', () => {
    for (const p of PROPERTIES) {
      const v = run.verdicts.get(p.id)!;
      expect(v.violation, `${p.id}: ${v.violation?.message}`).toBeNull();
    }
    expect(run.verdicts.get('W1')!.witnessed).toBe(true);
  });
});

describe('S3 across tenants', () => {
  it("the built-in cross-tenant-cvni holds under the patent (the slow path refuses the pair) and is violated under tenant-pair", () => {
    const patent = evaluate(builtinScenario('cross-tenant-cvni', 'patent')!, [tenantIsolation], { keepTrace: true });
    expect(patent.verdicts.get('S3')!.violation).toBeNull();
    const refused = (patent.events ?? []).filter((e) => e.event === 'drop' && e.reason === 'tenant-pair-mismatch');
    expect(refused.length).toBeGreaterThan(0);
    const mutant = evaluate(builtinScenario('cross-tenant-cvni', 'tenant-pair')!, [tenantIsolation]);
    expect(mutant.verdicts.get('S3')!.violation?.message).toMatch(/^f1's reverse packet with VNI 200 left fp\d for eni, but the flow's CVNI 101 is not its tenant's pair$/);
  });

  it("is violated when a packet of one tenant's flow reaches the other tenant's ENI", () => {
    const rec = record(scenario({ config: { tenants: TWO_TENANTS, clients: [{ tenant: 0 }, { tenant: 1 }] }, until: 2000 }));
    expect(monitor(tenantIsolation, rec).violation).toBeNull();
    const i = findStep(rec, (o) => o.events.some((e) => e.event === 'deliver' && e.to === 'eni2' && e.msg.type === 'data' && e.msg.flow === 'f2'));
    const misrouted = alterEvent(rec.observations[i]!, (e) => e.event === 'deliver' && e.to === 'eni2', (e) => ({ ...(e as Deliver), to: 'eni1' }));
    const v = monitor(tenantIsolation, rec, replaceAt(rec, i, misrouted));
    expect(v.violation?.message).toMatch(/^f2 \(tenant 1's\) \w+ packet reached eni1, tenant 0's/);
  });
});

describe('one client: nothing observable changes', () => {
  // sha256 of each built-in scenario's JSONL trace, computed with the build of main before
  // config.clients existed (/work/main/dist at edf2d34).
  const BEFORE: [string, string, string][] = [
  ['normal', 'patent', 'eab4eb890bd3cd7b3b07c44ee5ec305f5f3443500cd7fcbd5c774e31510d6111'],
  ['normal', 'prior-art', 'c128aac0c02f89a02ba1f7dc98e6062b8571e0e53fa09fa666aaf5c92fdeaecb'],
  ['fp-crash-reverse-only', 'patent', '91b2d703b5f803d262fb976246ada7b79d7f19bb93b0c4790a500c0c9b0bc0af'],
  ['fp-crash-reverse-only', 'prior-art', '5e7d3eacb481f86ae52cc84b561d81204490fce4c67a990c1a122f7a3905e5b8'],
  ['fp-restart', 'patent', 'a28a16e200c619ea328315580c361d8376b33af392e41ece8d1aef294b717eae'],
  ['fp-restart', 'prior-art', '17729d97c1e9389f9bffa7df4a374c35d1efaa8fe80e5075137f176db0147da3'],
  ['spoofed-server-vni', 'patent', '15e2ca1869ffc799cade4b660f88f1cc5065c8a3ee6825a99102b2dc4b2e4de9'],
  ['spoofed-server-vni', 'prior-art', 'a6046f4783e3cbc7762f976731ea7a664e525e0d5dba56990f7ec6dc3bf16357'],
  ['invalid-vni', 'patent', '31e6778ac9a8f3d7c03d3917902face60b7266789b79f4fc7342981d58df8542'],
  ['invalid-vni', 'prior-art', '31e6778ac9a8f3d7c03d3917902face60b7266789b79f4fc7342981d58df8542'],
  ['slow-path-down', 'patent', '970834fd40e068610f86a85e0951a7ce165a07bef8539542c5127881dbf12769'],
  ['slow-path-down', 'prior-art', '55d5559bca265dde494655619892f6adb582d7b3e97655717769c1f77592c734'],
  ['routine-probing-moves-flows', 'patent', '5dbab832c92be8d145e7cf32e8f79a697da5ad1a088fe00f97a6f9ddd106f41f'],
  ['routine-probing-moves-flows', 'prior-art', '12b94e18060f7a3fcae08ef502bb31082191b4f9648456dc794f12334d59b9b4'],
  ];
  it.each(BEFORE)('%s (%s): the same trace, byte for byte', (name, design, hash) => {
    const s = builtinScenario(name, design)!;
    const run = evaluate(s, propertiesFor(s.faultModel), { keepTrace: true });
    expect(createHash('sha256').update(toJsonl(run.events ?? [])).digest('hex')).toBe(hash);
  });
});

describe('config.clients: validation', () => {
  const cfg = (clients: unknown) => () => scenario({ config: { tenants: TWO_TENANTS, clients } });
  it.each([
    [[{ tenant: 2 }], 'config.clients[0].tenant', /must be at most 1/],
    [[{ tenant: 0 }, {}], 'config.clients[1].tenant', /is required/],
    [[{ tenant: 0, name: 'x' }], 'config.clients[0].name', /unknown field/],
    [[{ tenant: 0, flows: 0 }], 'config.clients[0].flows', /at least 1/],
    [[], 'config.clients', /1 to 8 clients/],
    ['two', 'config.clients', /must be an array/],
    [[{ tenant: 0, flows: 40 }, { tenant: 1, flows: 40 }], 'config.clients', /add up to 80/],
  ])('%j is refused naming %s', (clients, field, problem) => {
    const e = inputError(cfg(clients));
    expect(e.field).toBe(field);
    expect(e.problem).toMatch(problem);
  });

  it('node ids and links follow the clients: client/eni alone, client1/eni1 … with several', () => {
    const two = { tenants: TWO_TENANTS, clients: [{ tenant: 0 }, { tenant: 1 }] };
    expect(scenario({ config: two, faults: [{ at: 10, kind: 'crash', node: 'eni2' }] }).faults[0]).toMatchObject({ node: 'eni2' });
    expect(inputError(() => scenario({ config: two, faults: [{ at: 10, kind: 'crash', node: 'eni' }] })).field).toBe('faults[0].node');
    expect(inputError(() => scenario({ config: two, faults: [{ at: 10, kind: 'linkDown', link: 'eni->fp1' }] })).field).toBe('faults[0].link');
    expect(scenario({ config: two, faults: [{ at: 10, kind: 'linkDown', link: 'vgw->eni2' }] }).faults).toHaveLength(1);
    expect(inputError(() => scenario({ config: { fastPaths: 2, links: { 'eni1->fp1': { loss: 0.1 } } } })).field).toBe('config.links.eni1->fp1');
  });

  const dir = mkdtempSync(join(tmpdir(), 'pvlcheck-clients-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('simulate: a bad clients field is exit 2 with one line naming it', async () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ design: 'patent', config: { clients: [{ tenant: 1 }] } }));
    const io = bufferIo();
    const code = await main(['simulate', '--scenario-file', path], io);
    expect(code).toBe(2);
    expect(io.stderr()).toMatch(/config\.clients\[0\]\.tenant: must be at most 0, got 1/);
  });
});
