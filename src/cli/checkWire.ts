/**
 * What crosses between the check command and its worker threads: plain data only
 * (a property travels as its id and is looked up again on the other side).
 */
import { ALL_PROPERTIES } from '../../properties/index.js';
import type { Fixed } from '../checker/arbitraries.js';
import type { FaultModel } from '../config/faults.js';
import type { FindingsTable } from '../checker/findings.js';
import type { Shard } from '../checker/shard.js';
import type { DesignOutcome, PropertyOutcome } from '../checker/check.js';

export interface WorkerRequest {
  design: string;
  propertyIds: string[];
  options: { runs: number; seed: number; maxFaults: number; fixed: Fixed; shrinkBudget: number; faultModel?: FaultModel; shard?: Shard; findingsTable?: FindingsTable };
}

export type WireOutcome = Omit<DesignOutcome, 'properties'> & {
  properties: (Omit<PropertyOutcome, 'property'> & { property: string })[];
};

export function toWire(d: DesignOutcome): WireOutcome {
  return { ...d, properties: d.properties.map((p) => ({ ...p, property: p.property.id })) };
}

export function fromWire(w: WireOutcome): DesignOutcome {
  return {
    ...w,
    properties: w.properties.map((p) => ({ ...p, property: ALL_PROPERTIES.find((x) => x.id === p.property)! })),
  };
}
