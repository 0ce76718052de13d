// Validates Kubernetes objects against the API schemas of the npm package kubernetes-models (types, enums,
// required fields). Usage: node validate-objects.mjs <node_modules dir> < objects.json (a JSON array).
// Prints one JSON line per object: {"index", "apiVersion", "kind", "name", "status": "valid"|"invalid"|"no-schema", "error"?}.
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

for (const [index, obj] of objects.entries()) {
  const apiVersion = obj.apiVersion ?? "";
  const kind = obj.kind ?? "";
  const name = obj.metadata?.name ?? "";
  // "apps/v1" -> kubernetes-models/apps/v1/<Kind>.js, "v1" -> kubernetes-models/v1/<Kind>.js
  const file = join(modules, "kubernetes-models", ...apiVersion.split("/"), `${kind}.js`);
  const result = { index, apiVersion, kind, name };
  if (!apiVersion || !kind || !existsSync(file)) {
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
