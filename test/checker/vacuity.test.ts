/**
 * Vacuity is visible (issue 9, point 3): every `always` property names its situation and
 * reports it (`report.exercise()`); `check` counts the runs and steps in which it
 * occurred; an invariant never exercised in any run is "vacuous" (text, JSON, JUnit,
 * HTML), and a manifest expecting "holds" then makes it unexpected. The README's example
 * invariant, exactly as the README writes it, catches an offload to a crashed fp2.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROPERTIES } from '../../properties/index.js';
import * as observe from '../../src/checker/observe.js';
import * as property from '../../src/checker/property.js';
import { always, type AnyProperty } from '../../src/checker/property.js';
import { checkDesign, type DesignOutcome } from '../../src/checker/check.js';
import { evaluate } from '../../src/checker/evaluate.js';
import { judge, parseManifest, verdictOf } from '../../src/checker/verdicts.js';
import { PACKAGE_ROOT } from '../../src/config/packageRoot.js';
import { parseScenario } from '../../src/config/scenario.js';
import { jsonReport, junitReport, textReport, type CheckReport } from '../../src/report/checkReport.js';
import { checkReportHtml } from '../../src/report/plots.js';

/** The README's example invariant: the code block of its section "Add an invariant in ten lines". */
function readmeCode(): string {
  const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Add an invariant in ten lines'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error('no ```ts block in the README section "Add an invariant in ten lines"');
  return code;
}

/** Type errors of the README's code as properties/noOffloadToDeadPath.ts, with the project's compiler options. */
function readmeTypeErrors(): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(join(PACKAGE_ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const file = join(PACKAGE_ROOT, 'properties', 'noOffloadToDeadPath.ts');
  const host = ts.createCompilerHost({ ...config.options, noEmit: true, incremental: false });
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    name === file ? ts.createSourceFile(name, readmeCode(), version) : getSourceFile(name, version, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], { ...config.options, noEmit: true, incremental: false }, host);
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

/** The README's example invariant, compiled as it stands, its two imports given the real modules. */
function readmeProperty(): AnyProperty {
  const code = readmeCode();
  const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const modules: Record<string, unknown> = { '../src/checker/property.js': property, '../src/checker/observe.js': observe };
  const exports: Record<string, unknown> = {};
  const require = (name: string) => {
    if (!(name in modules)) throw new Error(`the README's example imports ${name}, which this test does not provide`);
    return modules[name];
  };
  new Function('require', 'exports', js)(require, exports);
  const found = Object.values(exports).filter((v): v is AnyProperty => typeof v === 'object' && v !== null && 'step' in v && 'observes' in v);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** The normal scenario with fp2 crashed at 14 ms: the slow path has fp2's first-packet miss and offloads to it, dead. */
const crashedFp2 = () => parseScenario({ design: 'patent', until: 2000, faults: [{ at: 14, kind: 'crash', node: 'fp2' }] });

describe("the README's example invariant S9", () => {
  let s9: AnyProperty;
  beforeAll(() => {
    s9 = readmeProperty();
  });

  it('type-checks as properties/noOffloadToDeadPath.ts', () => {
    expect(readmeTypeErrors()).toEqual([]);
  }, 60_000);

  it('is an always property that declares its situation', () => {
    expect(s9).toMatchObject({ id: 'S9', kind: 'always', situation: 'offloads sent' });
  });

  it('catches the slow path offloading to a crashed fp2', () => {
    const run = evaluate(crashedFp2(), [s9]);
    expect(run.verdicts.get('S9')!.violation).toEqual({ t: 14, message: 'offload to fp2, which is down' });
    expect(run.exercised.get('S9')).toBeGreaterThan(0);
  });

  it('holds, exercised, without the crash', () => {
    const run = evaluate(parseScenario({ design: 'patent', until: 2000 }), [s9]);
    expect(run.verdicts.get('S9')!.violation).toBeNull();
    expect(run.exercised.get('S9')).toBe(2); // the flow's forward and reverse offloads
  });

  it('over deliveries, as the README used to write it, it could never catch that crash', () => {
    const overDeliveries = always<null>('S9d', 'over deliveries', 'test', 'the old example', {
      situation: 'offloads delivered',
      observes: [property.on.deliveries('offload')],
      init: () => null,
      step: (data, obs, report) => {
        for (const e of observe.deliveries(obs)) {
          if (e.msg.type !== 'offload') continue;
          report.exercise();
          if (obs.world.down[e.to]) report.violate(e.t, `offload to ${e.to}, which is down`);
        }
        return data;
      },
    });
    expect(evaluate(crashedFp2(), [overDeliveries]).verdicts.get('S9d')!.violation).toBeNull();
  });
});

/** An invariant about a situation the models never produce: a packet sent to the client by the LVS. */
const neverExercised = always<null>('T1', 'Never exercised', 'test', 'The LVS never sends to the client.', {
  situation: 'the LVS sends to the client',
  observes: [property.on.sends(undefined, 'lvs')],
  init: () => null,
  step: (data, obs, report) => {
    for (const e of observe.sendsOf(obs)) {
      if (e.from !== 'lvs' || e.to !== 'client') continue;
      report.exercise();
      report.violate(e.t, 'the LVS sent to the client');
    }
    return data;
  },
});

describe('a property that never meets its situation is vacuous', () => {
  let d: DesignOutcome;
  let report: CheckReport;
  beforeAll(() => {
    d = checkDesign('patent', { properties: [neverExercised, PROPERTIES.find((p) => p.id === 'S1')!], runs: 30, seed: 42, maxFaults: 2 });
    const manifest = parseManifest({ designs: { patent: { T1: 'holds', S1: 'holds' } } }, 'test-manifest.json');
    report = { seed: 42, runs: 30, maxFaults: 2, designs: [d], judged: judge(manifest, d.properties), files: {}, command: 'npx pvlcheck check' };
  });

  it('is counted: 0 runs and steps for T1, every run for S1', () => {
    const [t1, s1] = d.properties;
    expect(t1).toMatchObject({ runs: 30, exercisedRuns: 0, exercisedSteps: 0 });
    expect(verdictOf(t1!)).toBe('vacuous');
    expect(s1!.exercisedRuns).toBe(30);
    expect(s1!.exercisedSteps).toBeGreaterThan(30);
    expect(verdictOf(s1!)).toBe('holds');
  });

  it('the manifest expecting holds makes it unexpected', () => {
    expect(report.judged.map((j) => [j.outcome.property.id, j.verdict, j.unexpected])).toEqual([
      ['T1', 'vacuous', true],
      ['S1', 'holds', false],
    ]);
  });

  it('shows in the text table with its situation', () => {
    const text = textReport(report).join('\n');
    expect(text).toMatch(/^T1 Never exercised\s+patent\s+UNEXPECTED vacuous \(expected holds\)\s+30\s+\S+ s\s+exercised in 0\/30 runs \/ 0 steps \(the LVS sends to the client\)$/m);
    expect(text).toMatch(/^S1 Privacy\s+patent\s+holds\s+30\s+\S+ s\s+exercised in 30\/30 runs \/ \d+ steps/m);
  });

  it('shows in the JSON', () => {
    const json = jsonReport(report) as { properties: Record<string, unknown>[] };
    expect(json.properties[0]).toMatchObject({ property: 'T1', verdict: 'vacuous', unexpected: true, exercisedRuns: 0, exercisedSteps: 0, situation: 'the LVS sends to the client' });
  });

  it('shows in the JUnit', () => {
    const xml = junitReport(report);
    expect(xml).toContain('<failure type="pvlcheck.Vacuous" message="vacuous, expected holds">');
    expect(xml).toContain('exercised in 0/30 runs / 0 steps (the LVS sends to the client)');
  });

  it('shows in the HTML', () => {
    const html = checkReportHtml(report);
    expect(html).toMatch(/<tr class="verdict unexpected" data-property="T1" data-design="patent" data-verdict="vacuous"/);
    expect(html).toMatch(/<tr class="coverage vacuous" data-property="T1"[^>]*data-exercised-runs="0" data-exercised-steps="0"/);
    expect(html).toContain('VACUOUS: exercised in 0/30 runs / 0 steps (the LVS sends to the client)');
  });
});

describe('every always property declares and reports its situation', () => {
  const invariants = PROPERTIES.filter((p) => p.kind === 'always');

  it('S1-S8 and L3 each name a situation', () => {
    expect(invariants.map((p) => p.id)).toEqual(['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8', 'L3']);
    for (const p of invariants) expect(p.situation?.length, p.id).toBeGreaterThan(5);
  });

  it('each is exercised in the patent design; the VGW ones never in the prior art (vacuous there, as the manifest says)', () => {
    const patent = checkDesign('patent', { properties: invariants, runs: 150, seed: 42, maxFaults: 2 });
    for (const o of patent.properties) expect(o.exercisedRuns, o.property.id).toBeGreaterThan(0);
    const prior = checkDesign('prior-art', { properties: invariants, runs: 150, seed: 42, maxFaults: 2 });
    const vacuous = prior.properties.filter((o) => o.exercisedRuns === 0).map((o) => o.property.id);
    expect(vacuous).toEqual(expect.arrayContaining(['S4', 'S7', 'L3']));
    const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'properties', 'manifest.json'), 'utf8')) as { designs: Record<string, Record<string, string>> };
    for (const id of ['S4', 'S7', 'L3']) expect(manifest.designs['prior-art']![id], id).toBe('vacuous');
  });
});
