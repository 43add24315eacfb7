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
