/**
 * The sweep's heat maps in a real browser (headless Chromium, test/e2e/browser.ts): the
 * page loads from file:// with no request elsewhere; one heat map per figure; each cell
 * coloured by its value (a higher value darker); the cells of points that are not safe
 * hatched; the safe region's outline drawn around exactly the safe cells; the recommended
 * setting ringed inside a safe cell, and named with its reasons.
 *
 * The browser is not optional here: when it cannot start, the suite fails and says why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { FIGURES } from '../../src/report/sweepReport.js';
import { launchBrowser } from './browser.js';

const dir = mkdtempSync(join(tmpdir(), 'pvlcheck-sweep-browser-'));
let browser: Browser | null = null;
let page: Page;
const requests: string[] = [];
const errors: string[] = [];
let json: { points: { index: number; values: Record<string, number>; safe: boolean }[]; recommendation: { index: number | null } };

// The callbacks below run in the browser; tsc has no DOM types here, so name what they use.
declare const getComputedStyle: (e: unknown) => { fill: string; stroke: string };
type SVGGraphicsElement = { getBBox(): { x: number; y: number; width: number; height: number } };

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

beforeAll(async () => {
  // relayTimeoutMs 600 lies below most clients' forward gaps: L2/L3 are never exercised there (not safe).
  const file = join(dir, 'sweep.html');
  const io = bufferIo(dir);
  const code = await main(['sweep', '--param', 'relayTimeoutMs=600,3000,5000', '--param', 'probeTimeoutMs=100,300', '--runs', '12', '--format', 'json', '--html', file], io);
  expect(io.stderr()).toContain('HTML report written to');
  expect(code).toBe(0);
  json = JSON.parse(io.stdout()) as typeof json;
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(pathToFileURL(file).href);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sweep heat maps', () => {
  it('the grid has safe and unsafe points (so the outline below means something)', () => {
    expect(json.points.some((p) => p.safe)).toBe(true);
    expect(json.points.some((p) => !p.safe)).toBe(true);
    expect(json.recommendation.index).not.toBeNull();
  });

  it('loads from file:// without any network request or script error', () => {
    expect(requests.length).toBeGreaterThan(0);
    for (const url of requests) expect(url).toMatch(/^(file|data):/);
    expect(errors).toEqual([]);
  });

  it('draws one heat map per figure, a cell per point, each visible', async () => {
    const maps = page.locator('svg.heatmap');
    await expect(maps.count()).resolves.toBe(FIGURES.length);
    expect(await maps.evaluateAll((els) => els.map((e) => e.getAttribute('data-figure')))).toEqual(FIGURES.map((f) => f.key));
    for (let i = 0; i < FIGURES.length; i++) {
      const map = maps.nth(i);
      await expect(map.locator('g.cell').count()).resolves.toBe(json.points.length);
      const box = await map.boundingBox();
      expect(box!.width).toBeGreaterThan(100);
      expect(box!.height).toBeGreaterThan(60);
    }
  });

  it('colours a higher value darker', async () => {
    const cells = await page.locator('svg.heatmap[data-figure="L1-p50"] g.cell').evaluateAll((els) =>
      els.map((e) => {
        const fill = getComputedStyle((e as unknown as { querySelector(s: string): unknown }).querySelector('rect')).fill;
        const [r, g, b] = (fill.match(/\d+/g) ?? []).map(Number);
        return { value: Number(e.getAttribute('data-value')), luminance: 0.2126 * r! + 0.7152 * g! + 0.0722 * b! };
      }),
    );
    const sorted = [...cells].sort((a, b) => a.value - b.value);
    expect(sorted[0]!.value).toBeLessThan(sorted[sorted.length - 1]!.value);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i]!.value > sorted[i - 1]!.value) expect(sorted[i]!.luminance).toBeLessThan(sorted[i - 1]!.luminance);
    }
  });

  it('hatches the points that are not safe, and only those', async () => {
    for (const cell of await page.locator('svg.heatmap[data-figure="L2-p99"] g.cell').all()) {
      const safe = (await cell.getAttribute('data-safe')) === 'true';
      await expect(cell.locator('rect.hatch').count()).resolves.toBe(safe ? 0 : 1);
      const index = Number(await cell.getAttribute('data-index'));
      expect(safe).toBe(json.points.find((p) => p.index === index)!.safe);
    }
  });

  it('outlines exactly the safe cells', async () => {
    for (const figure of FIGURES) {
      const map = page.locator(`svg.heatmap[data-figure="${figure.key}"]`);
      const outline = map.locator('path.safe-outline');
      await expect(outline.count()).resolves.toBe(1);
      const stroke = await outline.evaluate((e) => getComputedStyle(e).stroke);
      expect(stroke).not.toBe('none');
      // The outline's box (stroke excluded) is the box of the safe cells.
      const outlineBox = await outline.evaluate((e) => {
        const b = (e as unknown as SVGGraphicsElement).getBBox();
        return { x: b.x, y: b.y, width: b.width, height: b.height };
      });
      const safeBoxes: Box[] = await map.locator('g.cell[data-safe="true"] rect:not(.hatch)').evaluateAll((els) =>
        els.map((e) => {
          const b = (e as unknown as SVGGraphicsElement).getBBox();
          return { x: b.x, y: b.y, width: b.width, height: b.height };
        }),
      );
      const x0 = Math.min(...safeBoxes.map((b) => b.x));
      const y0 = Math.min(...safeBoxes.map((b) => b.y));
      const x1 = Math.max(...safeBoxes.map((b) => b.x + b.width));
      const y1 = Math.max(...safeBoxes.map((b) => b.y + b.height));
      expect(outlineBox).toEqual({ x: x0, y: y0, width: x1 - x0, height: y1 - y0 });
      // And it leaves the unsafe cells out: no unsafe cell's centre is inside that box.
      const unsafeCentres = await map.locator('g.cell[data-safe="false"] rect:not(.hatch)').evaluateAll((els) =>
        els.map((e) => {
          const b = (e as unknown as SVGGraphicsElement).getBBox();
          return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
        }),
      );
      expect(unsafeCentres.length).toBeGreaterThan(0);
      for (const c of unsafeCentres) expect(c.x > x0 && c.x < x1 && c.y > y0 && c.y < y1).toBe(false);
    }
  });

  it('rings the recommended setting inside its (safe) cell, and names it with its reasons', async () => {
    const index = json.recommendation.index!;
    const ring = page.locator('svg.heatmap[data-figure="L2-p99"] rect.recommended');
    await expect(ring.count()).resolves.toBe(1);
    expect(Number(await ring.getAttribute('data-index'))).toBe(index);
    const cell = page.locator(`svg.heatmap[data-figure="L2-p99"] g.cell[data-index="${index}"]`);
    expect(await cell.getAttribute('data-safe')).toBe('true');
    const r = (await ring.boundingBox())!;
    const c = (await cell.locator('rect').first().boundingBox())!;
    expect(r.x).toBeGreaterThanOrEqual(c.x);
    expect(r.y).toBeGreaterThanOrEqual(c.y);
    expect(r.x + r.width).toBeLessThanOrEqual(c.x + c.width);
    expect(r.y + r.height).toBeLessThanOrEqual(c.y + c.height);
    const values = json.points.find((p) => p.index === index)!.values;
    const text = await page.locator('#recommendation').innerText();
    expect(text).toContain(`Recommended: relayTimeoutMs=${values.relayTimeoutMs}, probeTimeoutMs=${values.probeTimeoutMs}`);
    expect(text).toContain('safe: no property violated, every one expected to hold held');
    await expect(page.locator('#recommendation li').count()).resolves.toBeGreaterThan(2);
  });
});
