/**
 * `pvlcheck report` and `pvlcheck check --report` in-process: the HTML is self-contained
 * and deterministic, a JSONL trace gives the same diagram as the scenario it came from,
 * the Mermaid output is folded and marks faults and the VGW detour, and bad input is one
 * stderr line naming the flag, with exit code 2. (The page's behaviour in a browser is
 * test/e2e/report.browser.test.ts.)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { builtinScenario } from '../../src/config/builtins.js';
import { runScenario } from '../../src/sim/simulate.js';
import { buildSequence, foldRows, mermaidSequence } from '../../src/report/sequence.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const dir = mkdtempSync(join(tmpdir(), 'pvlcheck-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<Result> {
  const io = bufferIo(dir);
  const code = await main(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

async function html(name: string, ...argv: string[]): Promise<string> {
  const out = join(dir, name);
  const r = await run('report', ...argv, '--html', out);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`written to ${out}`);
  return readFileSync(out, 'utf8');
}

/** The sequence diagram's SVG, out of a page. */
function sequenceSvg(page: string): string {
  const start = page.indexOf('<svg id="sequence"');
  const end = page.indexOf('</svg>', start);
  expect(start).toBeGreaterThan(0);
  return page.slice(start, end);
}

/** Asserts that a page needs nothing from outside itself. */
function expectSelfContained(page: string): void {
  expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
  expect(page).not.toMatch(/<script[^>]*\ssrc=/i);
  expect(page).not.toMatch(/<link\b/i);
  expect(page).not.toMatch(/@import|url\(\s*['"]?(https?:)?\/\//i);
  // The only URLs are the SVG namespace.
  const urls = page.match(/https?:\/\/[^\s"'<)]+/g) ?? [];
  for (const url of urls) expect(url).toBe('http://www.w3.org/2000/svg');
}

describe('pvlcheck report --format html', () => {
  it('writes one self-contained page: lanes, arrows, charts, verdicts, slider', async () => {
    const page = await html('patent.html', '--scenario', 'fp-crash-reverse-only');
    expectSelfContained(page);
    for (const lane of ['client', 'eni', 'fp1', 'fp2', 'sp', 'lvs', 'vgw', 'server', 'control']) {
      expect(page).toContain(`<g class="lane" id="lane-${lane}" data-node="${lane}">`);
    }
    expect(page).toContain('<input type="range" id="step-slider"');
    expect(page).toMatch(/<g class="fault" id="fault-\d+" data-step="\d+" data-fault="crash" data-node="fp2">/);
    expect(page).toMatch(/<g class="arrow hl-vgw" [^>]*data-from="lvs" data-to="vgw"/);
    expect(page).toMatch(/<g class="arrow hl-switch" [^>]*data-from="eni" data-to="fp1"/);
    expect(page).toMatch(/<g class="state-mark hl-vgw" [^>]*data-node="lvs" data-instance="f1" data-state="viaVgw">/);
    expect(page).toContain('data-actor="lvs/f1" data-node="lvs" data-instance="f1" data-chart="lvs"');
    expect(page).toContain('data-path="viaVgw"');
    expect(page).toContain('<tr class="verdict good" id="verdict-L1" data-property="L1" data-verdict="holds">');
    expect(page).toContain('npx pvlcheck simulate --scenario fp-crash-reverse-only --design patent --seed 42');
  });

  it('draws the prior art with its own LVS chart and L1 violated', async () => {
    const page = await html('prior.html', '--scenario', 'fp-crash-reverse-only', '--design', 'prior-art');
    expect(page).toContain('data-chart="lvsPriorArt"');
    expect(page).not.toContain('data-path="viaVgw"');
    expect(page).toContain('id="verdict-L1" data-property="L1" data-verdict="violated"');
    expect(page).toMatch(/<g class="violation" id="violation-\d+" data-step="\d+" data-property="L1">/);
    expect(page).not.toMatch(/data-highlight="vgw"/);
  });

  it('gives the same bytes for the same run', async () => {
    const a = await html('a.html', '--scenario', 'reverse-link-down', '--seed', '7');
    const b = await html('b.html', '--scenario', 'reverse-link-down', '--seed', '7');
    expect(a).toBe(b);
    const c = await html('c.html', '--scenario', 'reverse-link-down', '--seed', '8');
    expect(c).not.toBe(a);
  });

  it('reads a JSONL trace from simulate: the same diagram and verdicts as the scenario', async () => {
    const sim = await run('simulate', '--scenario', 'fp-crash-reverse-only', '--design', 'prior-art', '--format', 'jsonl');
    expect(sim.code).toBe(0);
    const trace = join(dir, 'prior.jsonl');
    writeFileSync(trace, sim.stdout);
    const fromTrace = await html('from-trace.html', '--trace', trace);
    const fromScenario = await html('from-scenario.html', '--scenario', 'fp-crash-reverse-only', '--design', 'prior-art');
    expect(sequenceSvg(fromTrace)).toBe(sequenceSvg(fromScenario));
    const verdicts = (p: string) => p.match(/data-property="\w+" data-verdict="[^"]+"/g);
    expect(verdicts(fromTrace)).toEqual(verdicts(fromScenario));
    expect(fromTrace).toContain('data-design="prior-art"');
    expect(fromTrace).toContain('--design prior-art --seed 42');
  });

  it('writes to stdout with --html -', async () => {
    const r = await run('report', '--scenario', 'normal', '--html', '-');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('<!DOCTYPE html>')).toBe(true);
  });
});

describe('pvlcheck report --format mermaid', () => {
  it('prints a folded sequenceDiagram with faults, states and the VGW detour', async () => {
    const r = await run('report', '--scenario', 'fp-crash-reverse-only', '--format', 'mermaid');
    expect(r.code).toBe(0);
    const text = r.stdout;
    expect(text.startsWith('sequenceDiagram\n')).toBe(true);
    const participants = [...text.matchAll(/^ {2}participant (\S+)$/gm)].map((m) => m[1]);
    expect(participants).toEqual(['client', 'eni', 'fp1', 'fp2', 'sp', 'lvs', 'vgw', 'server', 'control']);
    expect(text).toContain('Note over fp2: t=5000 ⚡ crash fp2');
    expect(text).toMatch(/Note over lvs: t=\d+ lvs\/f1 viaFastPath → viaVgw/);
    expect(text).toMatch(/rect rgba\(255, 160, 0, 0\.18\)\n {4}lvs->>vgw: t=\d+ data rev stream f1/);
    expect(text).toMatch(/lvs-xfp2: t=\d+ ✗ data rev stream f1 vni=200 dropped: node-down/);
    expect(text).toMatch(/Note over client,server: ⋮ \d+ more rev stream via server → lvs → fp1 → eni → client/);
    // Every rect is closed; no line would end a Mermaid statement early.
    expect(text.match(/^\s*rect /gm)?.length).toBe(text.match(/^\s*end$/gm)?.length);
    for (const line of text.split('\n').slice(1)) expect(line).not.toMatch(/[;#](?!35;)/);
    const full = await run('report', '--scenario', 'fp-crash-reverse-only', '--format', 'mermaid', '--full');
    expect(full.stdout.split('\n').length).toBeGreaterThan(2 * text.split('\n').length);
  });

  it('folds only repeated journeys: every fault, state change and violation stays', () => {
    const s = builtinScenario('fp-crash-reverse-only', 'prior-art')!;
    const seq = buildSequence(runScenario(s).events);
    const folded = foldRows(seq);
    const kept = new Set(folded.flatMap((i) => ('row' in i ? [i.row.step] : [])));
    for (const r of seq.rows) if (r.kind === 'fault' || r.kind === 'state' || r.kind === 'violation') expect(kept.has(r.step), r.text).toBe(true);
    expect(folded.length).toBeLessThan(seq.rows.length / 2);
    expect(mermaidSequence(seq)).toContain('⋮');
  });
});

describe('pvlcheck report: bad input', () => {
  const cases: [string, string[], RegExp][] = [
    ['a missing trace file', ['--trace', 'nope.jsonl'], /^pvlcheck: --trace: cannot read nope\.jsonl: ENOENT\n$/],
    ['a trace with a scenario flag', ['--trace', 'x.jsonl', '--design', 'patent'], /^pvlcheck: --design: cannot be combined with --trace/],
    ['an unknown format', ['--format', 'svg'], /^pvlcheck: --format: must be one of html, mermaid, got "svg"\n$/],
    ['an unknown scenario', ['--scenario', 'nope'], /^pvlcheck: --scenario: unknown scenario "nope"/],
    ['a stray argument', ['trace.jsonl'], /^pvlcheck: trace\.jsonl: unexpected argument for 'report'/],
    // Checked before the run (it was found only after it).
    ['an unwritable --html', ['--scenario', 'normal', '--html', 'no/such/dir/r.html'], /^pvlcheck: --html: no directory .*no\/such\/dir to write no\/such\/dir\/r\.html into\n$/],
  ];
  it.each(cases)('%s', async (_what, argv, message) => {
    const r = await run('report', ...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('names the line of a broken trace', async () => {
    const file = join(dir, 'broken.jsonl');
    writeFileSync(file, '{"t":0,"event":"state","node":"eni","state":"x"}\n{"t":1,"event":"deliver","from":"a"}\n');
    const r = await run('report', '--trace', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`pvlcheck: --trace: ${file} line 2: a deliver line needs "id" (number)\n`);
    writeFileSync(file, 'not json\n');
    expect((await run('report', '--trace', file)).stderr).toBe(`pvlcheck: --trace: ${file} line 1 is not JSON (expected a trace written by 'pvlcheck simulate --format jsonl')\n`);
  });
});

describe('pvlcheck check --html', () => {
  it('writes an HTML page with recovery plots, coverage bars and the verdict table', async () => {
    const out = join(dir, 'check.html');
    const r = await run('check', '--design', 'patent', '--runs', '40', '--out-dir', join(dir, 'cx'), '--html', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`HTML report written to ${out}`);
    const page = readFileSync(out, 'utf8');
    expectSelfContained(page);
    expect(page).not.toContain('<script');
    expect(page).toContain('<svg class="plot cdf" id="cdf-patent"');
    expect(page).toMatch(/<svg class="plot histogram" id="hist-L1-patent" data-samples="[1-9]\d*"/);
    expect(page).toMatch(/<svg class="plot histogram" id="hist-L2-patent" data-samples="[1-9]\d*"/);
    expect(page).toContain('<line class="bound"');
    expect(page).toMatch(/<line class="budget" data-property="L1"/);
    expect(page).toMatch(/<tr class="coverage" data-property="L1" data-design="patent" data-runs="40" data-triggered="[1-9]\d*"/);
    expect(page).toMatch(/<tr class="coverage" data-property="W1" data-design="patent" data-runs="40" [^>]*data-witnessed="[1-9]\d*"/);
    expect(page).toContain('<tr class="verdict ok" data-property="L1" data-design="patent" data-verdict="holds" data-expected="holds" data-unexpected="false">');
    // The same check gives the same page (no wall-clock times in it).
    const again = join(dir, 'check-again.html');
    expect((await run('check', '--design', 'patent', '--runs', '40', '--out-dir', join(dir, 'cx'), '--html', again)).code).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(page);
  });

  it('refuses an unwritable --html before running anything', async () => {
    const r = await run('check', '--design', 'patent', '--runs', '1000000', '--html', join(dir, 'no', 'such', 'check.html'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^pvlcheck: --html: no directory .* to write .*check\.html into\n$/);
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });
});
