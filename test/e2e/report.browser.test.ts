/**
 * The HTML report in a real browser (headless Chromium from the npm package
 * @sparticuz/chromium, driven by playwright-core: test/e2e/browser.ts): the page loads
 * from file:// without any network request, its lanes, fault marks and verdicts are there, and stepping through the trace (slider, keys,
 * buttons) shows the statecharts' active states: the prior art's LVS stays viaFastPath
 * after fp2 crashes (L1 violated); the patent's LVS is viaVgw after the relay timeout,
 * with the VGW detour highlighted.
 *
 * The browser is not optional here: when it cannot start, the suite fails and says why.
 *
 * PVLCHECK_SCREENSHOT=docs/report.png saves a screenshot of the patent's report where the
 * LVS switches to the VGW (for docs/visualise.md).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { launchBrowser } from './browser.js';

const dir = mkdtempSync(join(tmpdir(), 'pvlcheck-report-browser-'));
let browser: Browser | null = null;

async function writeReport(design: string): Promise<string> {
  const out = join(dir, `${design}.html`);
  const io = bufferIo(dir);
  const code = await main(['report', '--scenario', 'fp-crash-reverse-only', '--design', design, '--html', out], io);
  expect(io.stderr()).toBe('');
  expect(code).toBe(0);
  return out;
}

interface Opened {
  page: Page;
  /** Every URL the page asked for. */
  requests: string[];
  /** Script errors and console errors. */
  errors: string[];
}

async function open(file: string): Promise<Opened> {
  if (!browser) throw new Error('no browser (see the first failure of this suite)');
  const page = await browser.newPage({ viewport: { width: 1700, height: 1000 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(pathToFileURL(file).href);
  return { page, requests, errors };
}

/** The step the page shows. */
async function shownStep(page: Page): Promise<number> {
  return Number(await page.locator('body').getAttribute('data-step'));
}

async function goTo(page: Page, step: number): Promise<void> {
  await page.locator('#step-slider').fill(String(step));
  expect(await shownStep(page)).toBe(step);
}

/** The active state paths of an actor's chart. */
async function activeStates(page: Page, actor: string): Promise<string[]> {
  return page.locator(`.chart-card[data-actor="${actor}"] .st[data-active="true"]`).evaluateAll((els) => els.map((e) => e.getAttribute('data-path') ?? ''));
}

async function stepOf(page: Page, selector: string): Promise<number> {
  const step = await page.locator(selector).first().getAttribute('data-step');
  expect(step, `no element ${selector}`).not.toBeNull();
  return Number(step);
}

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('report of fp-crash-reverse-only, prior-art design', () => {
  let o: Opened;
  beforeAll(async () => {
    o = await open(await writeReport('prior-art'));
  });

  it('loads from file:// without any network request or script error', async () => {
    expect(o.requests.length).toBeGreaterThan(0);
    for (const url of o.requests) expect(url).toMatch(/^(file|data):/);
    expect(o.errors).toEqual([]);
  });

  it('has one lane per node, in the contract order', async () => {
    const lanes = await o.page.locator('#sequence .lane').evaluateAll((els) => els.map((e) => e.getAttribute('data-node')));
    expect(lanes).toEqual(['client', 'eni', 'fp1', 'fp2', 'sp', 'lvs', 'vgw', 'server', 'control']);
    for (const lane of lanes) await expect(o.page.locator(`#lane-${lane}`).count()).resolves.toBe(1);
  });

  it('marks the crash of fp2: a fault row, a red band on its lane, and drops towards it', async () => {
    const fault = o.page.locator('g.fault[data-fault="crash"][data-node="fp2"]');
    await expect(fault.count()).resolves.toBe(1);
    expect(await fault.textContent()).toContain('crash fp2');
    await expect(o.page.locator('.down-band[data-node="fp2"]').count()).resolves.toBe(1);
    const crash = Number(await fault.getAttribute('data-step'));
    const drops = await o.page.locator('g.drop[data-from="lvs"][data-to="fp2"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-step'))));
    expect(drops.length).toBeGreaterThan(0);
    expect(Math.min(...drops)).toBeGreaterThan(crash);
  });

  it('steps with the slider, the arrow keys and the buttons', async () => {
    const { page } = o;
    await goTo(page, 10);
    await page.locator('#step-next').click();
    expect(await shownStep(page)).toBe(11);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await shownStep(page)).toBe(13);
    await page.keyboard.press('ArrowLeft');
    expect(await shownStep(page)).toBe(12);
    expect(await page.locator('#step-slider').inputValue()).toBe('12');
    await expect(page.locator('#row-12.current').count()).resolves.toBe(1);
    await page.locator('#step-prev').click();
    expect(await shownStep(page)).toBe(11);
    await expect(page.locator('.row.current').count()).resolves.toBe(1);
    // A click on a row of the diagram goes to it.
    await page.locator('#row-20 .hit').click();
    expect(await shownStep(page)).toBe(20);
    expect(await page.locator('#step-slider').inputValue()).toBe('20');
  });

  it("after the crash the LVS stays viaFastPath: the prior art has no VGW state", async () => {
    const { page } = o;
    const crash = await stepOf(page, 'g.fault[data-fault="crash"][data-node="fp2"]');
    const violation = await stepOf(page, 'g.violation[data-property="L1"]');
    expect(violation).toBeGreaterThan(crash);
    await expect(page.locator('.chart-card[data-actor="lvs/f1"] .st[data-path="viaVgw"]').count()).resolves.toBe(0);
    await expect(page.locator('.chart-card[data-actor="lvs/f1"]').getAttribute('data-chart')).resolves.toBe('lvsPriorArt');
    for (const step of [crash + 3, violation]) {
      await goTo(page, step);
      expect(await activeStates(page, 'lvs/f1')).toEqual(['viaFastPath']);
      await expect(page.locator('.chart-card[data-actor="lvs/f1"]').getAttribute('data-state')).resolves.toBe('viaFastPath');
      // fp2's card says it is down.
      await expect(page.locator('.chart-card[data-actor="fp2"]').getAttribute('class')).resolves.toContain('down');
    }
    // Before the crash fp2 is up, and before its first packet the LVS's chart has not started.
    await goTo(page, crash - 1);
    await expect(page.locator('.chart-card[data-actor="fp2"]').getAttribute('class')).resolves.not.toContain('down');
    await goTo(page, 0);
    expect(await activeStates(page, 'lvs/f1')).toEqual([]);
    await expect(page.locator('.chart-card[data-actor="lvs/f1"]').getAttribute('class')).resolves.toContain('not-started');
  });

  it('shows the event being handled and the statechart handling it', async () => {
    const { page } = o;
    const step = await stepOf(page, 'g.arrow[data-from="fp2"][data-to="lvs"]');
    await goTo(page, step);
    expect(await page.locator('#step-text').textContent()).toMatch(/^fp2 → lvs: data fwd request f1/);
    expect(await page.locator('#step-meaning').textContent()).toContain('LVS learns fp2');
    const card = page.locator('.chart-card.handling-now');
    await expect(card.getAttribute('data-actor')).resolves.toBe('lvs/f1');
    expect(await card.locator('.handling').textContent()).toContain('data fwd request f1');
  });

  it('reads L1 as violated, with the seed and the replay command', async () => {
    const { page } = o;
    await expect(page.locator('#verdict-L1').getAttribute('data-verdict')).resolves.toBe('violated');
    expect(await page.locator('#verdict-L1 .v').textContent()).toBe('violated');
    await expect(page.locator('#verdict-S4').getAttribute('data-verdict')).resolves.toBe('holds');
    expect(await page.locator('#seed').textContent()).toBe('42');
    expect(await page.locator('#replay').textContent()).toBe('npx pvlcheck simulate --scenario fp-crash-reverse-only --design prior-art --seed 42');
    // The violated chip links to the violation's step.
    const violation = await stepOf(page, 'g.violation[data-property="L1"]');
    await page.locator('.chip.bad[data-property="L1"]').click();
    // The link sets the address's #step=N; the page follows on 'hashchange', which comes after the click.
    await page.waitForFunction(`document.body.getAttribute('data-step') === '${violation}'`, undefined, { timeout: 5000 });
    expect(await shownStep(page)).toBe(violation);
  });
});

describe('report of fp-crash-reverse-only, patent design', () => {
  let o: Opened;
  beforeAll(async () => {
    o = await open(await writeReport('patent'));
  });

  it('loads without network requests or script errors', () => {
    for (const url of o.requests) expect(url).toMatch(/^(file|data):/);
    expect(o.errors).toEqual([]);
  });

  it('after the relay timeout the LVS is viaVgw and the VGW detour is highlighted', async () => {
    const { page } = o;
    const timeout = await stepOf(page, 'g.timer[data-node="lvs"]');
    expect(await page.locator(`#row-${timeout} .desc`).textContent()).toContain('relay timer');
    const detour = await stepOf(page, 'g.arrow[data-from="vgw"][data-to="eni"]');
    expect(detour).toBeGreaterThan(timeout);
    await goTo(page, detour);
    expect(await activeStates(page, 'lvs/f1')).toEqual(['viaVgw']);
    await expect(page.locator('.chart-card[data-actor="lvs/f1"] .st[data-path="viaVgw"]').getAttribute('data-active')).resolves.toBe('true');
    // The detour's hops are highlighted, in the VGW colour.
    for (const [from, to] of [['lvs', 'vgw'], ['vgw', 'eni'], ['eni', 'client']] as const) {
      const arrow = page.locator(`g.arrow[data-from="${from}"][data-to="${to}"][data-highlight="vgw"]`);
      expect(await arrow.count(), `${from} → ${to} highlighted`).toBeGreaterThan(0);
    }
    const colour = await page.locator('g.arrow[data-from="vgw"][data-to="eni"] line').first().evaluate((e) => e.ownerDocument.defaultView!.getComputedStyle(e).stroke);
    const plain = await page.locator('g.arrow[data-from="server"][data-to="lvs"] line').first().evaluate((e) => e.ownerDocument.defaultView!.getComputedStyle(e).stroke);
    expect(colour).toBe('rgb(224, 123, 0)');
    expect(plain).not.toBe(colour);
    // Before the relay timeout, the LVS was on the fast path.
    await goTo(page, timeout - 1);
    expect(await activeStates(page, 'lvs/f1')).toEqual(['viaFastPath']);
  });

  it('highlights the fast-path switch: the ENI moves the flow to fp1, the LVS leaves the VGW', async () => {
    const { page } = o;
    const move = await stepOf(page, 'g.arrow[data-from="eni"][data-to="fp1"][data-highlight="switch"]');
    const back = await stepOf(page, 'g.state-mark.hl-switch[data-node="lvs"][data-state="viaFastPath"]');
    expect(back).toBeGreaterThan(move);
    await expect(page.locator('g.drop[data-from="eni"][data-to="fp2"][data-msg="probe"]').count()).resolves.toBe(3);
    await goTo(page, back);
    expect(await activeStates(page, 'lvs/f1')).toEqual(['viaFastPath']);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Shift+ArrowLeft');
    expect(await shownStep(page)).toBeLessThan(back);
  });

  it('shows the ENI parallel chart with one active state per region', async () => {
    const { page } = o;
    const probing = await stepOf(page, 'g.state-mark[data-node="eni"][data-state*="probing"]');
    await goTo(page, probing);
    // fp2 (slot 2) is the one probed; the other member slots are up (fp1) or absent.
    const slots = Array.from({ length: 8 }, (_, i) => [`slot${i + 1}`, `slot${i + 1}.${['up', 'probing'][i] ?? 'absent'}`]).flat();
    expect(await activeStates(page, 'eni')).toEqual(['paths', 'paths.probing', 'routine', 'routine.off', ...slots]);
  });

  it('every verdict holds or is witnessed', async () => {
    const verdicts = await o.page.locator('tr.verdict').evaluateAll((els) => els.map((e) => e.getAttribute('data-verdict')));
    expect(verdicts).toHaveLength(14);
    for (const v of verdicts) expect(['holds', 'witnessed']).toContain(v);
  });

  it('saves a screenshot when asked (PVLCHECK_SCREENSHOT)', async () => {
    const target = process.env.PVLCHECK_SCREENSHOT;
    if (!target) return;
    const { page } = o;
    // The LVS switching to the VGW: its card in view, the detour's arrows just below.
    await goTo(page, await stepOf(page, 'g.state-mark.hl-vgw[data-node="lvs"]'));
    const path = resolve(target);
    await page.screenshot({ path });
    expect(readFileSync(path).subarray(1, 4).toString()).toBe('PNG');
  });
});
