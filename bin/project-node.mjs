#!/usr/bin/env node
// `node ARGS` on a Node that runs the project's TypeScript (>= 22.15): this one, or the bundled Node 24. npm scripts use it because npm 10 can leave node_modules/.bin/node out.
import { projectNode, runNode } from "./node-runtime.mjs";

runNode(projectNode(), process.argv.slice(2));
