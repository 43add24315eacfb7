/**
 * `check --reporter junit` is what strict CI readers accept (issue 9, point 5): a prior-art
 * run's report validates against the Apache Ant JUnit schema (test/fixtures/JUnit.xsd,
 * with xmllint); a failure carries its type, message, the violation's time, the
 * counterexample's file, story and replay command; vacuous and not-in-the-manifest
 * verdicts are failures too; and the same check gives the same XML but for wall-clock times.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROPERTIES } from '../../properties/index.js';
import { describeRun } from '../../src/checker/arbitraries.js';
import { checkDesign, type DesignOutcome } from '../../src/checker/check.js';
import { judge, manifestPath, readManifest, type Manifest } from '../../src/checker/verdicts.js';
import { PACKAGE_ROOT } from '../../src/config/packageRoot.js';
import { JUNIT_TIMESTAMP, junitReport, type CheckReport } from '../../src/report/checkReport.js';

const XSD = readFileSync(join(PACKAGE_ROOT, 'test', 'fixtures', 'JUnit.xsd'), 'utf8');

async function expectValid(xml: string): Promise<void> {
  const result = await validateXML({ xml: [{ fileName: 'report.xml', contents: xml }], schema: [{ fileName: 'JUnit.xsd', contents: XSD }] });
  expect(result.errors.map((e) => e.rawMessage), xml.slice(0, 3000)).toEqual([]);
  expect(result.valid).toBe(true);
}

function reportOf(d: DesignOutcome, manifest: Manifest): CheckReport {
  const files: Record<string, string> = {};
  for (const o of d.properties) if (o.counterexample) files[`${d.design}/${o.property.id}`] = `counterexamples/${d.design}-${o.property.id}.json`;
  return { seed: 42, runs: 40, maxFaults: 2, designs: [d], judged: judge(manifest, d.properties), files, command: 'npx pvlcheck check --design prior-art --runs 40' };
}

describe('JUnit XML', () => {
  let d: DesignOutcome;
  let manifest: Manifest;
  beforeAll(() => {
    d = checkDesign('prior-art', { properties: PROPERTIES, runs: 40, seed: 42, maxFaults: 2 });
    manifest = readManifest(manifestPath(PACKAGE_ROOT, {}));
  });

  it('the schema itself rejects what the old reporter wrote (no time on a testcase, no failure type)', async () => {
    const old = '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="pvlcheck">\n  <testsuite name="prior-art" tests="1" failures="1" time="1.000">\n    <testcase classname="prior-art" name="L1 x">\n      <failure message="m">d</failure>\n    </testcase>\n  </testsuite>\n</testsuites>';
    const result = await validateXML({ xml: [{ fileName: 'old.xml', contents: old }], schema: [{ fileName: 'JUnit.xsd', contents: XSD }] });
    expect(result.valid).toBe(false);
  });

  it("a prior-art run's report, as the manifest expects it, validates", async () => {
    const xml = junitReport(reportOf(d, manifest));
    await expectValid(xml);
    expect(xml).toMatch(new RegExp(`<testsuite name="prior-art" package="pvlcheck" id="0" timestamp="${JUNIT_TIMESTAMP}" hostname="localhost" tests="${PROPERTIES.length}" failures="0" errors="0" skipped="0" time="[\\d.]+">`));
    expect(xml.match(/<testcase classname="prior-art" name="[^"]+" time="[\d.]+">/g)).toHaveLength(PROPERTIES.length);
    expect(xml).not.toContain('<failure');
    // Each verdict with its coverage, vacuous ones included.
    expect(xml).toContain('<property name="S4 verdict" value="vacuous, as expected; exercised in 0/40 runs / 0 steps (reverse data sent to the VGW)"/>');
    expect(xml).toContain('<property name="L1 verdict" value="violated as expected; triggered in');
  });

  it('a verdict the manifest does not expect is a failure with time, file, story and replay command, and validates', async () => {
    const holds = structuredClone(manifest);
    holds.designs['prior-art']!.L1 = 'holds';
    holds.designs['prior-art']!.S4 = 'holds';
    delete holds.designs['prior-art']!.S1;
    const report = reportOf(d, holds);
    const xml = junitReport(report);
    await expectValid(xml);
    expect(xml).toMatch(/failures="3"/);
    const l1 = d.properties.find((o) => o.property.id === 'L1')!.counterexample!;
    const failure = xml.slice(xml.indexOf('<failure type="pvlcheck.UnexpectedViolated"'));
    expect(failure).toContain(`message="violated, expected holds: at ${l1.violation.t} ms: ${l1.violation.message}"`);
    expect(failure).toContain(`violation at ${l1.violation.t} ms: ${l1.violation.message}`);
    expect(failure).toContain('scenario: counterexamples/prior-art-L1.json');
    expect(failure).toContain('replay: npx pvlcheck replay counterexamples/prior-art-L1.json');
    for (const line of describeRun(l1.spec)) expect(failure).toContain(line.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'));
    expect(xml).toContain('<failure type="pvlcheck.Vacuous" message="vacuous, expected holds">');
    expect(xml).toContain('<failure type="pvlcheck.NotInManifest" message="holds, not in the manifest">');
  });

  it('is the same bytes for the same check, but for the wall-clock time attributes', () => {
    const strip = (x: string) => x.replace(/ time="[\d.]+"/g, '');
    const again = checkDesign('prior-art', { properties: PROPERTIES, runs: 40, seed: 42, maxFaults: 2 });
    expect(strip(junitReport(reportOf(again, manifest)))).toBe(strip(junitReport(reportOf(d, manifest))));
  });
});
