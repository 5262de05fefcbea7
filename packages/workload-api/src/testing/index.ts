export { startDevWorkloadApi } from "./dev-server.js";
export type {
  DevCallRecord,
  DevIdentity,
  DevRpc,
  DevStreamRpc,
  DevWorkloadApi,
  DevWorkloadApiOptions,
  InjectedStatus,
  MalformedKind,
} from "./dev-server.js";
