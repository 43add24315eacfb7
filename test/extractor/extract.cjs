// Stately's code extractor (what the Stately editor and its VS Code extension run on a source
// file), installed from here as a copy (.npmrc install-links) into node_modules/pvlcheck-statechart-extractor,
// with the XState 4 it needs as a peer nested there, apart from the project's XState 5.
// stateNodePaths(source) -> for each machine found, the paths of its state nodes.
const { extractMachinesFromFile } = require('@xstate/machine-extractor');

function stateNodePaths(source) {
  const result = extractMachinesFromFile(source);
  return (result?.machines ?? []).filter(Boolean).map((machine) => {
    const paths = [];
    const walk = (node, path) => {
      paths.push(path);
      for (const [key, child] of Object.entries(node?.states ?? {})) walk(child, path === '' ? key : `${path}.${key}`);
    };
    walk(machine.toConfig(), '');
    return paths;
  });
}

module.exports = { stateNodePaths };
