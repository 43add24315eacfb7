/**
 * Where the explorer's worker threads import the properties (functions cannot be posted to
 * a thread): kept apart from explore.ts so that the command line can start a search thread
 * before it loads the properties itself (src/explorer/searchThread.ts).
 */
import type { PropertyModule } from '../explorer/searchThread.js';

export const PROPERTY_MODULE: PropertyModule = { url: new URL('../../properties/index.js', import.meta.url).href, name: 'ALL_PROPERTIES' };
