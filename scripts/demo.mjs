#!/usr/bin/env node
// One command for newcomers: `npm run demo`. Builds what the demo needs, then runs it.
console.log('demo not built yet');
