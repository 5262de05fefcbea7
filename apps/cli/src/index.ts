export { runCli } from "./run.js";
export type { CliIo } from "./context.js";
export { CliError, type CliErrorCode } from "./errors.js";
export {
  parseCommandLine,
  resolveFormat,
  parseVersion,
  parseVersionList,
  parseKeyValuePairs,
  findCommand,
  GLOBAL_FLAGS,
  type ParsedCommandLine,
  type OutputFormat,
} from "./args.js";
export type { CommandSpec, FlagSpec, GroupSpec } from "./command-spec.js";
export { COMMANDS, GROUPS } from "./commands.js";
export { renderHelp } from "./help.js";
export {
  formatSecret,
  formatSecretList,
  formatMetadata,
  formatPolicy,
  formatPolicyList,
  formatHumanTime,
  metadataWireShape,
  policyWireShape,
} from "./format.js";
export { parsePolicyYaml, type PolicyFile } from "./policy-yaml.js";
export { reportError, formatErrorReport, type ErrorReport } from "./render-error.js";
export { formatDoctor, type DoctorCheck } from "./commands/doctor.js";
export { CLI_VERSION } from "./version.js";
