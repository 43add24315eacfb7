/**
 * The browser of the browser tests: the Chromium that `@sparticuz/chromium` ships inside its
 * npm package (unpacked to the temporary directory on first use), driven by playwright-core.
 * `npm ci` brings it, so the tests need no system browser and no download.
 */
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';

/** Flags that keep a headless Chromium off the network it has no business with. */
const QUIET = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];

export async function launchBrowser(): Promise<Browser> {
  let executablePath: string;
  try {
    executablePath = await sparticuz.executablePath();
  } catch (e) {
    throw new Error(`@sparticuz/chromium could not unpack its Chromium (${(e as Error).message}); run 'npm ci' again`);
  }
  // Its own flags, less --single-process: the tests open several pages in one browser.
  const args = [...sparticuz.args.filter((a) => a !== '--single-process'), ...QUIET];
  try {
    return await chromium.launch({ executablePath, headless: true, args });
  } catch (e) {
    throw new Error(`the Chromium of @sparticuz/chromium at ${executablePath} did not start: ${(e as Error).message.split('\n')[0]}`);
  }
}
