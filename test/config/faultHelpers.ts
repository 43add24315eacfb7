/** A test-only fault kind, declared as a user would declare one (src/config/faults.ts). */
import { FAULT_KINDS, type FaultDecl, type FaultVocabulary } from '../../src/config/faults.js';

/** A test-only kind: a fast path cut off from the LVS both ways (made of the draft's primitives). */
export const ISOLATE: FaultDecl = {
  kind: 'isolate',
  target: 'node',
  roles: ['fp'],
  params: [{ name: 'quietly', type: 'boolean', optional: true, doc: 'test-only flag' }],
  meaning: 'test-only: the fast path loses both its links to the LVS',
  voids: ['L2, L3'],
  models: { extended: { roles: ['fp'] } },
  weight: 50,
  apply: (d, f) => {
    for (const l of [`lvs->${f.node as string}`, `${f.node as string}->lvs`]) d.setLink(l, { up: false }, true);
  },
  disrupts: () => true,
  applicable: (w, f) => w.links[`lvs->${f.node as string}`]?.up !== false,
  text: (f) => `isolate ${f.node as string}`,
};
export const WITH_ISOLATE: FaultVocabulary = { ...FAULT_KINDS, isolate: ISOLATE };

