// The layers of spike-ts (../../../shared/STYLE.md). A package may import only
// packages of a lower layer. Keep this the one place that names them.
module.exports = {
  L0: ["spiffe", "nexus-model"],
  L1: ["workload-api", "mtls-transport", "nexus-client", "cache", "policy-language-server"],
  L2: ["nexus-dev"],
  L3: ["sdk"],
  L4: ["cli", "vscode-extension"],
};
