// Validates every object of a Kubernetes YAML file (documents separated by ---) against the
// schema of its apiVersion and kind, as generated from the Kubernetes OpenAPI spec by
// kubernetes-models (required fields, types, enums, formats). The API schema lets unknown
// fields through (the API server drops them, or refuses them with --validate=strict), so the
// objects are then type-checked by TypeScript against kubernetes-models' interfaces, as object
// literals: a field the API does not have, at any depth (a misspelt `readinesProbe`), is an
// error. Prints "ok KIND NAME" per object; exits 1 on the first invalid one (with the failing
// paths), 2 on a kind it does not know. With --json, prints the objects instead, as one JSON
// array, once all are valid.
//   node k8s_validate.mjs [--json] FILE
import * as yaml from 'js-yaml';
import ts from 'typescript';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Service } from 'kubernetes-models/v1/Service';

const models = { 'apps/v1 Deployment': Deployment, 'batch/v1 Job': Job, 'v1 Service': Service };
// The TypeScript interface of each kind: [module, name].
const interfaces = {
    'apps/v1 Deployment': ['kubernetes-models/apps/v1/Deployment', 'IDeployment'],
    'batch/v1 Job': ['kubernetes-models/batch/v1/Job', 'IJob'],
    'v1 Service': ['kubernetes-models/v1/Service', 'IService'],
};

// TypeScript's excess-property check over every object, as `const oN: IKind = {...}` in one
// in-memory module beside node_modules. Returns the errors, "KIND NAME: message" each.
function unknownFields(objects) {
    const here = dirname(fileURLToPath(import.meta.url));
    const fileName = join(here, '__k8s_strict_check.ts');
    let source = '';
    const lineOf = [];
    objects.forEach((object, index) => {
        const [module, name] = interfaces[`${object.apiVersion} ${object.kind}`];
        source += `import type { ${name} as T${index} } from '${module}';\n`;
    });
    objects.forEach((object, index) => {
        lineOf.push(source.split('\n').length - 1);
        source += `export const o${index}: T${index} = ${JSON.stringify(object, null, 1)};\n`;
    });
    const options = {
        noEmit: true, strict: true, skipLibCheck: true, types: [],
        target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
    };
    const host = ts.createCompilerHost(options);
    const { getSourceFile, fileExists, readFile } = host;
    host.getSourceFile = (name, language, ...rest) => name === fileName
        ? ts.createSourceFile(name, source, language) : getSourceFile.call(host, name, language, ...rest);
    host.fileExists = (name) => name === fileName || fileExists.call(host, name);
    host.readFile = (name) => name === fileName ? source : readFile.call(host, name);
    const program = ts.createProgram([fileName], options, host);
    return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
        const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
        if (!diagnostic.file || diagnostic.file.fileName !== fileName) return message;
        const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
        let index = lineOf.length - 1;
        while (index > 0 && lineOf[index] > line) --index;
        const object = objects[index];
        return `${object.kind} ${object.metadata?.name}: ${message}`;
    });
}
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
}
const unknown = unknownFields(documents);
if (unknown.length > 0) {
    for (const error of unknown) {
        console.log(`invalid ${error}`);
    }
    process.exit(1);
}
if (json) {
    console.log(JSON.stringify(documents));
} else {
    for (const object of documents) {
        console.log(`ok ${object.kind} ${object.metadata.name}`);
    }
}
