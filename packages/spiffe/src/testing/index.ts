export { createTestCa } from "./test-ca.js";
export type {
  CertificateOptions,
  IssueJwtOptions,
  IssueOptions,
  IssuedSvid,
  TestCa,
  TestCaOptions,
} from "./test-ca.js";
export { UNKNOWN_EXTENSION_OID } from "./certificate-options.js";
export type { KeyUsageName, RawExtension, TestExtensionName, TestKeyType } from "./certificate-options.js";
export { createStaticX509Source } from "./static-source.js";
export type { StaticX509Source, StaticX509SourceOptions } from "./static-source.js";
