#!/usr/bin/env node
// `npm run report -- <file>`: the viewer's views (drift with its change points, policy, cost, who
// refused, eval cross-tab) of a file of OTLP JSON lines, as text. The same code as the viewer.
import '@servedby/viewer/report-cli';
