/**
 * The explorer manifest's profiles and designs as test cases: each profile's own space with
 * every property, and a result's shortest counterexamples, for the tests that compare a
 * search with another (manifest, agreement, por, symmetry, folds, lean).
 */
import { PROPERTIES } from '../../properties/index.js';
import { loadExplorerManifest } from '../../src/cli/exploreManifest.js';
import type { ExploreOptions, ExploreResult } from '../../src/explorer/explore.js';
import { profileSpace } from '../../src/explorer/profiles.js';

/** properties/explorer-manifest.json, as `explore` reads it at run time. */
export const EXPLORER_MANIFEST = loadExplorerManifest().manifest;

/** Every profile and design the manifest pins, with what it expects. */
export const manifestCases = Object.entries(EXPLORER_MANIFEST).flatMap(([profile, designs]) =>
  Object.entries(designs).map(([design, expected]) => ({ profile, design, expected })),
);

/** A profile's space as `explore` searches it, every property, optionally another fault budget. */
export function profileOptions(profile: string, design: string, maxFaults?: number): ExploreOptions {
  return { ...profileSpace(profile, design), ...(maxFaults !== undefined ? { maxFaults } : {}), properties: PROPERTIES, maxDepth: 100_000 };
}

/** The shortest counterexample's length of each violated property. */
export const depthsOf = (r: ExploreResult): Record<string, number> => Object.fromEntries(r.violations.map((v) => [v.property, v.depth]));
