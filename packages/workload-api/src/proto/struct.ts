import type { StructMessage, StructValueMessage } from "./messages.js";

/** A JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/** Converts a decoded `google.protobuf.Struct` to plain JSON. */
export function structToJson(s: StructMessage | null | undefined): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(s?.fields ?? {})) out[k] = valueToJson(v);
  return out;
}

function valueToJson(v: StructValueMessage | undefined): JsonValue {
  switch (v?.kind) {
    case "number_value":
      return v.number_value ?? 0;
    case "string_value":
      return v.string_value ?? "";
    case "bool_value":
      return v.bool_value ?? false;
    case "struct_value":
      return structToJson(v.struct_value);
    case "list_value":
      return (v.list_value?.values ?? []).map(valueToJson);
    default:
      return null;
  }
}

/** Converts plain JSON to the `google.protobuf.Struct` message shape. */
export function jsonToStruct(o: Record<string, unknown>): StructMessage {
  const fields: Record<string, StructValueMessage> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) fields[k] = jsonToValue(v);
  return { fields };
}

function jsonToValue(v: unknown): StructValueMessage {
  if (v === null || v === undefined) return { kind: "null_value", null_value: "NULL_VALUE" };
  if (typeof v === "number") return { kind: "number_value", number_value: v };
  if (typeof v === "string") return { kind: "string_value", string_value: v };
  if (typeof v === "boolean") return { kind: "bool_value", bool_value: v };
  if (Array.isArray(v)) return { kind: "list_value", list_value: { values: v.map(jsonToValue) } };
  if (typeof v === "object") return { kind: "struct_value", struct_value: jsonToStruct(v as Record<string, unknown>) };
  return { kind: "string_value", string_value: String(v) };
}
