/**
 * The SPIFFE Workload API as a protobufjs JSON descriptor, written from the message tables of
 * the SPIFFE Workload API standard (proto3, no `package`, service `SpiffeWorkloadAPI`).
 * `google.protobuf.Struct` and its companions are declared inline so nothing is read from disk
 * (the package is bundled by esbuild and must work from `dist/`).
 */
export const workloadApiDescriptor = {
  nested: {
    X509SVIDRequest: { fields: {} },
    X509SVIDResponse: {
      fields: {
        svids: { rule: "repeated", type: "X509SVID", id: 1 },
        crl: { rule: "repeated", type: "bytes", id: 2 },
        federated_bundles: { keyType: "string", type: "bytes", id: 3 },
      },
    },
    X509SVID: {
      fields: {
        spiffe_id: { type: "string", id: 1 },
        x509_svid: { type: "bytes", id: 2 },
        x509_svid_key: { type: "bytes", id: 3 },
        bundle: { type: "bytes", id: 4 },
        hint: { type: "string", id: 5 },
      },
    },
    X509BundlesRequest: { fields: {} },
    X509BundlesResponse: {
      fields: {
        crl: { rule: "repeated", type: "bytes", id: 1 },
        bundles: { keyType: "string", type: "bytes", id: 2 },
      },
    },
    JWTSVIDRequest: {
      fields: {
        audience: { rule: "repeated", type: "string", id: 1 },
        spiffe_id: { type: "string", id: 2 },
      },
    },
    JWTSVIDResponse: {
      fields: {
        svids: { rule: "repeated", type: "JWTSVID", id: 1 },
      },
    },
    JWTSVID: {
      fields: {
        spiffe_id: { type: "string", id: 1 },
        svid: { type: "string", id: 2 },
        hint: { type: "string", id: 3 },
      },
    },
    JWTBundlesRequest: { fields: {} },
    JWTBundlesResponse: {
      fields: {
        bundles: { keyType: "string", type: "bytes", id: 1 },
      },
    },
    ValidateJWTSVIDRequest: {
      fields: {
        audience: { type: "string", id: 1 },
        svid: { type: "string", id: 2 },
      },
    },
    ValidateJWTSVIDResponse: {
      fields: {
        spiffe_id: { type: "string", id: 1 },
        claims: { type: "google.protobuf.Struct", id: 2 },
      },
    },
    WITSVIDRequest: {
      fields: {
        spiffe_id: { type: "string", id: 1 },
      },
    },
    WITSVIDResponse: {
      fields: {
        svids: { rule: "repeated", type: "WITSVID", id: 1 },
      },
    },
    WITSVID: {
      fields: {
        spiffe_id: { type: "string", id: 1 },
        wit_svid: { type: "string", id: 2 },
        wit_svid_key: { type: "string", id: 3 },
        hint: { type: "string", id: 4 },
      },
    },
    WITBundlesRequest: { fields: {} },
    WITBundlesResponse: {
      fields: {
        bundles: { keyType: "string", type: "string", id: 1 },
      },
    },
    SpiffeWorkloadAPI: {
      methods: {
        FetchX509SVID: { requestType: "X509SVIDRequest", responseType: "X509SVIDResponse", responseStream: true },
        FetchX509Bundles: { requestType: "X509BundlesRequest", responseType: "X509BundlesResponse", responseStream: true },
        FetchJWTSVID: { requestType: "JWTSVIDRequest", responseType: "JWTSVIDResponse" },
        FetchJWTBundles: { requestType: "JWTBundlesRequest", responseType: "JWTBundlesResponse", responseStream: true },
        ValidateJWTSVID: { requestType: "ValidateJWTSVIDRequest", responseType: "ValidateJWTSVIDResponse" },
        FetchWITSVID: { requestType: "WITSVIDRequest", responseType: "WITSVIDResponse", responseStream: true },
        FetchWITBundles: { requestType: "WITBundlesRequest", responseType: "WITBundlesResponse", responseStream: true },
      },
    },
    google: {
      nested: {
        protobuf: {
          nested: {
            Struct: {
              fields: { fields: { keyType: "string", type: "Value", id: 1 } },
            },
            Value: {
              oneofs: {
                kind: { oneof: ["null_value", "number_value", "string_value", "bool_value", "struct_value", "list_value"] },
              },
              fields: {
                null_value: { type: "NullValue", id: 1 },
                number_value: { type: "double", id: 2 },
                string_value: { type: "string", id: 3 },
                bool_value: { type: "bool", id: 4 },
                struct_value: { type: "Struct", id: 5 },
                list_value: { type: "ListValue", id: 6 },
              },
            },
            NullValue: { values: { NULL_VALUE: 0 } },
            ListValue: {
              fields: { values: { rule: "repeated", type: "Value", id: 1 } },
            },
          },
        },
      },
    },
  },
};
