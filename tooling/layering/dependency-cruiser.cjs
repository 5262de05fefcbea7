// dependency-cruiser rules: import downward only, never a sibling of the same layer, no cycles.
const layers = require("./layers.cjs");
const order = ["L0", "L1", "L2", "L3", "L4"];
const pathOf = (names) => `^(packages|apps)/(${names.join("|")})/`;

const forbidden = [
  {
    name: "no-unresolvable-workspace-import",
    severity: "error",
    comment: "A @spike-ts import must be a declared dependency whose export resolves (run after pnpm build).",
    from: { path: "^(packages|apps)/[^/]+/src/" },
    to: { couldNotResolve: true, path: "^@spike-ts/" },
  },
  {
    name: "no-circular",
    severity: "error",
    comment: "Cycles between modules make layering meaningless.",
    from: {},
    to: { circular: true },
  },
];

order.forEach((layer, i) => {
  const same = layers[layer];
  const above = order.slice(i + 1).flatMap((l) => layers[l]);
  forbidden.push({
    name: `${layer}-no-sibling`,
    severity: "error",
    comment: `${layer} packages (${same.join(", ")}) must not import each other.`,
    from: { path: `${pathOf(same)}src/`, pathNot: "\\.test(-d)?\\.ts$" },
    to: { path: pathOf(same), pathNot: "^(packages|apps)/$2/" },
  });
  if (above.length > 0) {
    forbidden.push({
      name: `${layer}-no-upward`,
      severity: "error",
      comment: `${layer} packages must not import a higher layer (${above.join(", ")}).`,
      from: { path: `${pathOf(same)}src/`, pathNot: "\\.test(-d)?\\.ts$" },
      to: { path: pathOf(above) },
    });
  }
});

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|reports|coverage)/" },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "types", "default"],
      extensions: [".ts", ".js", ".d.ts", ".mjs", ".cjs"],
    },
  },
};
