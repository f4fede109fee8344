// Entry point of the `flowsh` command (bundled to dist/flowsh.mjs).
console.log('flowsh: work in progress');
