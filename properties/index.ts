/**
 * Every property pvlcheck checks, in the order reports list them. To add one: write it in
 * its own file (see docs/properties.md), add it here and give its expected verdict per
 * design in manifest.json.
 */
import type { AnyProperty } from '../src/checker/property.js';
import { direction } from './direction.js';
import { failoverAfterProbe } from './failoverAfterProbe.js';
import { failoverWitness } from './failoverWitness.js';
import { fastPathRestored } from './fastPathRestored.js';
import { learning } from './learning.js';
import { privacy } from './privacy.js';
import { restorationWitness } from './restorationWitness.js';
import { reverseResumes } from './reverseResumes.js';
import { tenantIsolation } from './tenantIsolation.js';
import { validateBeforeOffload } from './validateBeforeOffload.js';
import { vgwFallbackWitness } from './vgwFallbackWitness.js';
import { vgwGating } from './vgwGating.js';
import { vgwInBand } from './vgwInBand.js';
import { vgwQuiesces } from './vgwQuiesces.js';
import { recoveryLasts } from './recoveryLasts.js';
import { vgwBlackHoleWitness } from './vgwBlackHoleWitness.js';
import { slowPathBlockWitness } from './slowPathBlockWitness.js';
import type { Scenario } from '../src/config/types.js';

export const PROPERTIES: readonly AnyProperty[] = [
  privacy,
  validateBeforeOffload,
  tenantIsolation,
  vgwGating,
  direction,
  learning,
  vgwInBand,
  failoverAfterProbe,
  reverseResumes,
  fastPathRestored,
  vgwQuiesces,
  vgwFallbackWitness,
  failoverWitness,
  restorationWitness,
];

/**
 * Properties of the extended fault model only: what the patent's fault model makes
 * pointless (L4's black hole needs a fault the forward probe cannot see; W4 and W5 need
 * the VGW or the slow path down). Kept out of the patent model's suite so that its
 * verdicts and the explorer's pinned state counts stay as they were.
 */
export const EXTENDED_PROPERTIES: readonly AnyProperty[] = [recoveryLasts, vgwBlackHoleWitness, slowPathBlockWitness];

/** Every property, in report order (what `--property` may name). */
export const ALL_PROPERTIES: readonly AnyProperty[] = [...PROPERTIES, ...EXTENDED_PROPERTIES];

/** The properties checked under a fault model (absent: patent). */
export function propertiesFor(model: Scenario['faultModel']): readonly AnyProperty[] {
  return model === 'extended' ? ALL_PROPERTIES : PROPERTIES;
}
