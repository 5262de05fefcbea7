/** The version of `@spike-ts/cli`, printed by `spike version`. */
export const CLI_VERSION = "0.1.0";
