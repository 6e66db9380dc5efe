// Validates every object of a Kubernetes YAML file (documents separated by ---) against the
// schema of its apiVersion and kind, as generated from the Kubernetes OpenAPI spec by
// kubernetes-models (required fields, types, enums, formats). Prints "ok KIND NAME" per object;
// exits 1 on the first invalid one (with the failing paths), 2 on a kind it does not know.
// With --json, prints the objects instead, as one JSON array, once all are valid.
//   node k8s_validate.mjs [--json] FILE
import * as yaml from 'js-yaml';
import { readFileSync } from 'node:fs';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Service } from 'kubernetes-models/v1/Service';

const models = { 'apps/v1 Deployment': Deployment, 'batch/v1 Job': Job, 'v1 Service': Service };
const json = process.argv[2] === '--json';
const file = process.argv[json ? 3 : 2];
const documents = yaml.loadAll(readFileSync(file, 'utf8')).filter((d) => d != null);
if (documents.length === 0) {
    console.log('no objects');
    process.exit(1);
}
for (const object of documents) {
    const Model = models[`${object.apiVersion} ${object.kind}`];
    if (!Model) {
        console.log(`unknown: ${object.apiVersion} ${object.kind}`);
        process.exit(2);
    }
    try {
        new Model(object).validate();
    } catch (error) {
        console.log(`invalid ${object.kind} ${object.metadata?.name}: ${error.message}`);
        process.exit(1);
    }
    if (!json) {
        console.log(`ok ${object.kind} ${object.metadata.name}`);
    }
}
if (json) {
    console.log(JSON.stringify(documents));
}
