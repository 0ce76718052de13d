// Validates Kubernetes objects against the API schemas of the npm package kubernetes-models (types, enums,
// required fields) and, for custom resources, of its third-party packages generated from the projects' published
// CRDs: @kubernetes-models/gateway-api, /prometheus-operator and /cert-manager.
// Usage: node validate-objects.mjs <node_modules dir> < objects.json (a JSON array).
// Prints one JSON line per object: {"index", "apiVersion", "kind", "name", "status": "valid"|"invalid"|"no-schema", "error"?};
// "no-schema" means no package models that apiVersion and kind (the caller decides whether that is allowed).
// Exit status 0 when it could check the input (the caller judges the results), 2 on bad input.
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const modules = process.argv[2];
if (!modules || !existsSync(join(modules, "kubernetes-models"))) {
  console.error("usage: node validate-objects.mjs <node_modules with kubernetes-models> < objects.json");
  process.exit(2);
}
const objects = JSON.parse(readFileSync(0, "utf8"));

// Each package lays its models out as <group>/<version>/<Kind>.js (core: v1/<Kind>.js); no two model the same group.
const roots = ["kubernetes-models", "@kubernetes-models/gateway-api", "@kubernetes-models/prometheus-operator", "@kubernetes-models/cert-manager"]
  .map((p) => join(modules, p));
const missing = roots.filter((r) => !existsSync(r));
if (missing.length > 0) {
  console.error(`missing npm packages: ${missing.join(", ")} (scripts/test.sh installs them)`);
  process.exit(2);
}
const modelFile = (apiVersion, kind) =>
  roots.map((root) => join(root, ...apiVersion.split("/"), `${kind}.js`)).find((f) => existsSync(f));

for (const [index, obj] of objects.entries()) {
  const apiVersion = obj.apiVersion ?? "";
  const kind = obj.kind ?? "";
  const name = obj.metadata?.name ?? "";
  // "apps/v1" -> kubernetes-models/apps/v1/<Kind>.js, "v1" -> kubernetes-models/v1/<Kind>.js,
  // "gateway.networking.k8s.io/v1" -> @kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/<Kind>.js
  const file = apiVersion && kind ? modelFile(apiVersion, kind) : undefined;
  const result = { index, apiVersion, kind, name };
  if (!file) {
    result.status = "no-schema";
  } else {
    const module = await import(pathToFileURL(file).href);
    try {
      new module[kind](obj).validate();
      result.status = "valid";
    } catch (e) {
      result.status = "invalid";
      result.error = String(e?.message ?? e);
    }
  }
  console.log(JSON.stringify(result));
}
